// Fault injection: one-shot FIFO faults plus seeded random faults.
import { setTimeout as sleep } from "node:timers/promises";

export type FaultKind =
  "throttle" | "http500" | "http503" | "slow" | "drop-after-action" | "drop-before-action";

export interface FaultSpec {
  kind: FaultKind;
  /** only for this API action, e.g. "CreateJob" */
  action?: string;
  /** for "slow" */
  delayMs?: number;
}

export interface FaultController {
  inject(f: FaultSpec, times?: number): void;
  setRandom(rate: number, kinds: FaultKind[], opts?: { actions?: string[] }): void;
  clear(): void;
  readonly injected: Record<string, number>;
}

export const FAULT_KINDS: readonly FaultKind[] = [
  "throttle",
  "http500",
  "http503",
  "slow",
  "drop-after-action",
  "drop-before-action",
];
const DEFAULT_SLOW_MS = 1000;
const RANDOM_SLOW_MS = 200;

/** mulberry32: tiny seeded PRNG so random fault runs are reproducible. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Faults implements FaultController {
  private queue: FaultSpec[] = [];
  private random: { rate: number; kinds: FaultKind[]; actions?: string[] } | undefined;
  private readonly rand: () => number;
  readonly injected: Record<string, number> = {};

  constructor(seed: number) {
    this.rand = mulberry32(seed);
  }

  inject(f: FaultSpec, times = 1): void {
    if (!FAULT_KINDS.includes(f.kind)) throw new Error(`unknown fault kind ${String(f.kind)}`);
    if (!Number.isInteger(times) || times < 1) throw new Error("times must be a positive integer");
    for (let i = 0; i < times; i++) this.queue.push({ ...f });
  }

  setRandom(rate: number, kinds: FaultKind[], opts?: { actions?: string[] }): void {
    if (!(rate >= 0 && rate <= 1)) throw new Error("rate must be within [0, 1]");
    if (kinds.length === 0 || kinds.some((k) => !FAULT_KINDS.includes(k)))
      throw new Error("kinds must be non-empty known fault kinds");
    this.random = { rate, kinds: [...kinds], ...(opts?.actions ? { actions: [...opts.actions] } : {}) };
  }

  clear(): void {
    this.queue = [];
    this.random = undefined;
  }

  /** Picks the fault for one request (queued faults first, FIFO), counting it. */
  take(action: string): FaultSpec | undefined {
    const i = this.queue.findIndex((f) => f.action === undefined || f.action === action);
    let fault: FaultSpec | undefined;
    if (i >= 0) {
      fault = this.queue.splice(i, 1)[0];
    } else if (
      this.random &&
      (!this.random.actions || this.random.actions.includes(action)) &&
      this.rand() < this.random.rate
    ) {
      const kind = this.random.kinds[Math.floor(this.rand() * this.random.kinds.length)] ?? "http500";
      fault = { kind, action, delayMs: RANDOM_SLOW_MS };
    }
    if (fault) this.injected[fault.kind] = (this.injected[fault.kind] ?? 0) + 1;
    return fault;
  }

  /** Counter used to alternate throttling statuses (see server.ts). */
  throttleCount = 0;
}

export async function slowDown(f: FaultSpec): Promise<void> {
  await sleep(f.delayMs ?? DEFAULT_SLOW_MS);
}
