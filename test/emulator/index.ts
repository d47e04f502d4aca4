// Strict local PAI HTTP emulator (DLC jobs, PAIStudio quotas, EAS services/autoscalers).
// One server speaks all three products; see README-style notes in each product file.
import { createServer } from "node:http";
import { type AddressInfo } from "node:net";
import { DEFAULT_TIMING, type Now } from "./clock";
import { dlcRoutes, jobRecord } from "./dlc";
import { easRoutes, serviceRecord, autoscalerRecord } from "./eas";
import { type FaultController, Faults } from "./faults";
import { quotaRecord, quotaRoutes } from "./quotas";
import { type LogEntry, RequestHandler } from "./server";
import { type Job, Store, isTerminalJob, jobStatus } from "./state";

export type { FaultController, FaultSpec } from "./faults";

export interface EmulatorOptions {
  /** default 0 = random free port; host is always 127.0.0.1 */
  port?: number;
  /** default "cn-hangzhou"; EAS ClusterId path param must equal it */
  region?: string;
  /** when set: verify ACS3-HMAC-SHA256 signatures */
  credentials?: { accessKeyId: string; accessKeySecret: string }[];
  /** phase durations; default 30 ms each */
  timing?: {
    jobCreatingMs?: number;
    jobQueuingMs?: number;
    jobRunningMs?: number;
    jobStoppingMs?: number;
    jobRestartingMs?: number;
    quotaCreatingMs?: number;
    serviceCreatingMs?: number;
  };
  /** for reproducible random faults */
  seed?: number;
  /** lifecycle clock (ms); default Date.now. Lets a test step time by hand. */
  now?: Now;
}

export interface JobRecord {
  JobId: string;
  DisplayName: string;
  Status: string;
  deleted: boolean;
  [k: string]: unknown;
}

export interface PaiEmulator {
  url: string;
  port: number;
  faults: FaultController;
  /** includes deleted jobs with deleted=true */
  jobs(): JobRecord[];
  /** includes deleted quotas with deleted=true */
  quotas(): Record<string, unknown>[];
  /** includes deleted services with deleted=true */
  services(): Record<string, unknown>[];
  autoscalers(): Record<string, unknown>[];
  requests(): LogEntry[];
  failJobs(match: (job: JobRecord) => boolean, reason: { code: string; message: string }): void;
  holdJobsRunning(match: (job: JobRecord) => boolean): void;
  /** Spot market from now on: price as a fraction of the list price, and per minute (modelled; spot.ts). */
  setSpotMarket(ratio: number, perMinute?: number): void;
  /** Reclaims matching spot jobs `afterRunningMs` after they first start running (modelled; spot.ts). */
  preemptJobs(match: (job: JobRecord) => boolean, afterRunningMs?: number): void;
  close(): Promise<void>;
}

export async function startEmulator(opts: EmulatorOptions = {}): Promise<PaiEmulator> {
  const region = opts.region ?? "cn-hangzhou";
  const store = new Store(region, { ...DEFAULT_TIMING, ...opts.timing }, opts.now ?? Date.now);
  const faults = new Faults(opts.seed ?? 1);
  const log: LogEntry[] = [];
  const credentials = opts.credentials
    ? new Map(opts.credentials.map((c) => [c.accessKeyId, c.accessKeySecret]))
    : undefined;
  const handler = new RequestHandler({
    routes: [...dlcRoutes(store), ...quotaRoutes(store), ...easRoutes(store)],
    region,
    faults,
    credentials,
    log,
  });
  const server = createServer(handler.handle);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  // A rule applies to jobs that have not finished yet and to every job created later.
  const addRule = (match: (job: JobRecord) => boolean, apply: (job: Job) => void): void => {
    store.jobRules.push({ match: (r) => match(r as JobRecord), apply });
    for (const job of store.jobs.values()) {
      if (!isTerminalJob(jobStatus(job, store.now())) && match(jobRecord(store, job))) apply(job);
    }
  };

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    faults,
    jobs: () => [...store.jobs.values()].map((j) => jobRecord(store, j)),
    quotas: () => [...store.quotas.values()].map((q) => quotaRecord(store, q)),
    services: () => [...store.services.values()].map((s) => serviceRecord(store, s)),
    autoscalers: () => [...store.autoscalers.values()].map(autoscalerRecord),
    requests: () => log.map((e) => ({ ...e })),
    failJobs: (match, reason) =>
      addRule(match, (job) => {
        job.fail = { ...reason };
      }),
    holdJobsRunning: (match) =>
      addRule(match, (job) => {
        job.held = true;
      }),
    setSpotMarket: (ratio, perMinute) => {
      const last = store.spotMarket[store.spotMarket.length - 1];
      store.spotMarket.push({
        at: store.now(),
        ratio,
        perMinute: perMinute ?? (last?.perMinute ?? 0) * (ratio / (last?.ratio || 1)),
      });
    },
    preemptJobs: (match, afterRunningMs = 0) =>
      addRule(match, (job) => {
        job.spot?.preemptOffsets.push(afterRunningMs);
      }),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
