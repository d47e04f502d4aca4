// Creates that never make a second copy. CreateJob/CreateQuota are not idempotent on the API side,
// so after an ambiguous failure (connection drop, timeout, 5xx: the server may have acted) we look
// for what the first attempt may have made before sending the create again.
import { type CreateJobRequest, type DlcClient, type Job, isTerminalJobStatus } from "./dlc";
import { PaiApiError, isAmbiguous } from "./errors";
import { type CreateQuotaRequest, type Quota, type QuotaClient } from "./quotas";
import { backoffDelay, resolveRetryOptions, sleep } from "./retry";

/** Bounds for the look-then-create loop. */
export interface IdempotentCreateOptions {
  /** Create attempts after ambiguous failures. Default 6. */
  maxRounds?: number;
  /** Backoff base between rounds in ms. Default: the retry base (env PAI_RETRY_BASE_MS, 500). */
  baseDelayMs?: number;
}

async function lookThenCreate(
  findExisting: () => Promise<string[]>,
  pickPreexisting: (ids: string[]) => Promise<string | undefined>,
  create: () => Promise<string>,
  options: IdempotentCreateOptions,
): Promise<{ id: string; adopted: boolean }> {
  const before = await findExisting();
  const adoptable = await pickPreexisting(before);
  if (adoptable) return { id: adoptable, adopted: true };
  const known = new Set(before);
  const retry = resolveRetryOptions({ baseDelayMs: options.baseDelayMs });
  const maxRounds = options.maxRounds ?? 6;
  for (let round = 1; ; round++) {
    try {
      return { id: await create(), adopted: false };
    } catch (err) {
      if (!(err instanceof PaiApiError) || !isAmbiguous(err) || round >= maxRounds) throw err;
      await sleep(backoffDelay(round, retry));
      // The attempt may have succeeded: anything with our name that was not there before is ours.
      const made = (await findExisting()).find((id) => !known.has(id));
      if (made) return { id: made, adopted: true };
    }
  }
}

/**
 * CreateJob guarded by the job's DisplayName (deterministic per Pulumi resource and spec).
 * Adopts a live (non-terminal) job with that exact name left by an interrupted earlier run; after an
 * ambiguous failure adopts any new job with that name; otherwise creates.
 * Assumes ListJobs sees a job as soon as CreateJob returned (true for the emulator; the real API is
 * not documented either way).
 */
export async function createJobIdempotent(
  client: DlcClient,
  req: CreateJobRequest,
  options: IdempotentCreateOptions = {},
): Promise<{ jobId: string; adopted: boolean }> {
  const sameName = async () =>
    (await client.listAllJobs({ displayName: req.displayName, workspaceId: req.workspaceId })).filter(
      (job) => job.displayName === req.displayName && !job.isDeleted,
    );
  let latest: Job[] = [];
  const result = await lookThenCreate(
    async () => {
      latest = await sameName();
      return latest.map((job) => job.jobId);
    },
    (ids) =>
      Promise.resolve(
        latest.find((job) => ids.includes(job.jobId) && !isTerminalJobStatus(job.status))?.jobId,
      ),
    async () => (await client.createJob(req)).jobId,
    options,
  );
  return { jobId: result.id, adopted: result.adopted };
}

/** What to do with a quota that already has the requested name. */
export type ExistingQuotaVerdict = "adopt" | "ignore" | "refuse";

/**
 * CreateQuota guarded by QuotaName. `classify` decides about each pre-existing quota with that name:
 * `adopt` (ours, same spec: an interrupted earlier create), `ignore` (ours but another spec, e.g. the
 * old quota during a create-before-delete replacement) or `refuse` (not ours: we do not take over
 * someone else's quota). After an ambiguous failure any new quota with the name is adopted.
 */
export async function createQuotaIdempotent(
  client: QuotaClient,
  req: CreateQuotaRequest,
  classify: (quota: Quota) => ExistingQuotaVerdict,
  options: IdempotentCreateOptions = {},
): Promise<{ quotaId: string; adopted: boolean }> {
  let latest: Quota[] = [];
  const result = await lookThenCreate(
    async () => {
      const { quotas } = await client.listQuotas({ quotaName: req.quotaName, pageSize: 100 });
      latest = quotas.filter((q) => q.quotaName === req.quotaName && q.status !== "Deleting");
      return latest.map((q) => q.quotaId);
    },
    (ids) => {
      const existing = latest.filter((q) => ids.includes(q.quotaId));
      const adoptable = existing.find((q) => classify(q) === "adopt");
      if (adoptable) return Promise.resolve(adoptable.quotaId);
      const foreign = existing.filter((q) => classify(q) === "refuse");
      if (foreign.length > 0) {
        const ids = foreign.map((q) => q.quotaId).join(", ");
        return Promise.reject(
          new Error(
            `PAIStudio CreateQuota quotaName=${req.quotaName}: a quota with this name already exists (${ids}) and was not created by this stack; import it or choose another name`,
          ),
        );
      }
      return Promise.resolve(undefined);
    },
    async () => (await client.createQuota(req)).quotaId,
    options,
  );
  return { quotaId: result.id, adopted: result.adopted };
}
