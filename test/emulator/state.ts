// In-memory state shared by the three products, and the lazily computed lifecycles.
import { type Now, type Timing } from "./clock";
import { type Json } from "./validate";

export const TERMINAL_JOB_STATUSES = ["Succeeded", "Failed", "Stopped"] as const; // docs/sources.md#pai-1.6

export interface Phase {
  status: string;
  at: number;
}

export interface Job {
  id: string;
  body: Json; // the validated CreateJob body, stored verbatim
  workspaceId: string;
  createdAt: number;
  timing: Timing; // snapshot at creation
  stopAt?: number;
  held: boolean;
  fail?: { code: string; message: string };
  deletedAt?: number;
}

export interface Quota {
  id: string;
  body: Json; // current attributes (CreateQuota body, then Update/Scale applied)
  createdAt: number;
  modifiedAt: number;
  readyAt: number;
  operations: number;
  deletedAt?: number;
}

export interface Service {
  id: string;
  name: string;
  config: Json;
  labels: Record<string, string>;
  workspaceId?: string;
  develop: boolean;
  createdAt: number;
  updatedAt: number;
  runningAt: number;
  deletedAt?: number;
}

export interface Autoscaler {
  serviceName: string;
  min: number;
  max: number;
  scaleStrategies: Json[];
  behavior?: Json;
  createdAt: number;
}

export interface JobRule {
  match: (job: Record<string, unknown>) => boolean;
  apply: (job: Job) => void;
}

export class Store {
  readonly jobs = new Map<string, Job>();
  readonly quotas = new Map<string, Quota>();
  readonly services = new Map<string, Service>(); // by name; deleted services are kept under "<name>#<id>"
  readonly autoscalers = new Map<string, Autoscaler>(); // by service name
  readonly jobRules: JobRule[] = [];

  constructor(
    readonly region: string,
    readonly timing: Timing,
    readonly now: Now,
  ) {}
}

/** Phases a job has reached by `now`, oldest first; the last one is its status. */
export function jobPhases(job: Job, now: number): Phase[] {
  const t = job.timing;
  const queuingAt = job.createdAt + t.jobCreatingMs;
  const runningAt = queuingAt + t.jobQueuingMs;
  const endAt = runningAt + t.jobRunningMs;
  const plan: Phase[] = [
    { status: "Creating", at: job.createdAt },
    { status: "Queuing", at: queuingAt },
    { status: "Running", at: runningAt },
  ];
  if (job.stopAt !== undefined) {
    const stopAt = job.stopAt;
    const before = plan.filter((p) => p.at < stopAt);
    before.push({ status: "Stopping", at: stopAt }, { status: "Stopped", at: stopAt + t.jobStoppingMs });
    return reached(before, now);
  }
  if (!job.held) plan.push({ status: job.fail ? "Failed" : "Succeeded", at: endAt });
  return reached(plan, now);
}

function reached(plan: Phase[], now: number): Phase[] {
  const out = plan.filter((p, i) => i === 0 || p.at <= now);
  return out;
}

export function jobStatus(job: Job, now: number): string {
  const phases = jobPhases(job, now);
  return phases[phases.length - 1]?.status ?? "Creating";
}

export function isTerminalJob(status: string): boolean {
  return (TERMINAL_JOB_STATUSES as readonly string[]).includes(status);
}

export function quotaStatus(q: Quota, now: number): string {
  // Quota status enum is UNCONFIRMED (docs/sources.md#pai-6 #1): we use the two values seen
  // in primary sources, Creating then Ready.
  return now < q.readyAt ? "Creating" : "Ready";
}

export function serviceStatus(s: Service, now: number): string {
  return now < s.runningAt ? "Creating" : "Running";
}
