import type { ResolvedJob } from "/work/wt/h13/infra/resolve/types";
declare const j: ResolvedJob;
const x: number = j.spot;
const y: number = j.savings;
export { x, y };
