/**
 * quota-fit (mandatory): the jobs on the Lingjun quota fit its GPUs, of the right GPU type. The
 * stack's quota jobs are taken to run at the same time: `pulumi up` submits them together.
 */
import { loadCatalog, type Catalog } from "../infra/catalog";
import { definePolicy, type Finding } from "./lib/define";
import { jobSizing, label, ofType, read, runsOnQuota, TYPES } from "./lib/resources";

export type QuotaFitConfig = Record<string, never>;

let shipped: Catalog | undefined;
const catalog = () => (shipped ??= loadCatalog());

export const quotaFit = definePolicy<QuotaFitConfig>({
  name: "quota-fit",
  description: "Jobs that run at the same time on the quota fit its GPUs, of the right GPU type.",
  enforcementLevel: "mandatory",
  configSchema: { properties: {} },
  evaluate: (resources) => {
    const out: Finding[] = [];
    const quota = ofType(resources, TYPES.gpuQuota)[0];
    const spec = quota ? read(() => quota.props.nodeSpec as string) : undefined;
    const nodes = quota ? read(() => quota.props.nodeCount as number) : undefined;
    // GPUs per node: the node spec as the stack's jobs were sized with it (stack catalog included),
    // else the shipped catalog's entry.
    const sizedSpecs = ofType(resources, TYPES.dlcJob)
      .map((r) => jobSizing(r))
      .flatMap((s) => (s.known && s.value ? [s.value.instance] : []));
    const perNode: { known: true; value: number } | { known: false; path: string } | undefined =
      spec === undefined
        ? undefined
        : !spec.known
          ? spec
          : {
              known: true,
              value:
                sizedSpecs.find((i) => i.id === spec.value)?.gpuCount ??
                catalog().instances.get(spec.value)?.gpuCount ??
                0,
            };
    let used = 0;
    const users: string[] = [];
    for (const r of ofType(resources, TYPES.dlcJob)) {
      const onQuota = runsOnQuota(r);
      if (!onQuota.known) {
        out.push({
          resource: r,
          message: `${label(r)}: ${onQuota.path} is unknown at preview; quota fit fails closed`,
        });
        continue;
      }
      if (!onQuota.value) continue;
      const s = jobSizing(r);
      if (!s.known) {
        out.push({
          resource: r,
          message: `${label(r)}: ${s.path} is unknown at preview; quota fit fails closed`,
        });
        continue;
      }
      if (!s.value) continue;
      if (!quota || !spec || !nodes || !perNode) {
        out.push({
          resource: r,
          message: `${label(r)} runs on the quota, but the stack declares no quota (pai-finetune:quota)`,
        });
        continue;
      }
      if (!spec.known || !nodes.known || !perNode.known) {
        out.push({
          resource: r,
          message: `${label(r)}: the quota's size is unknown at preview; quota fit fails closed`,
        });
        continue;
      }
      const t = s.value.training;
      if (s.value.instance.id !== spec.value)
        out.push({
          resource: r,
          message: `${label(r)} was sized for ${s.value.instance.id} (${s.value.instance.gpuModel}) but the quota's nodes are ${spec.value}: wrong GPU type`,
        });
      if (t.gpusPerNode > perNode.value)
        out.push({
          resource: r,
          message: `${label(r)} asks for ${t.gpusPerNode} GPUs per node but a quota node has ${perNode.value}`,
        });
      used += t.gpusPerNode * t.nodes;
      users.push(`${label(r)} ${t.nodes}×${t.gpusPerNode}`);
    }
    if (quota && nodes?.known && perNode?.known && used > nodes.value * perNode.value)
      out.push({
        resource: quota,
        message: `the quota jobs need ${used} GPUs at once (${users.join(", ")}) but the quota has ${nodes.value * perNode.value} (${nodes.value} node(s) × ${perNode.value}); add nodes or run fewer jobs at a time`,
      });
    return out;
  },
});
