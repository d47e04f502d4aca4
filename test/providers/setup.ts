// Points the providers at a fresh emulator through the same environment variables a real run uses,
// with fake credentials in the environment and fast polling/backoff.
import { type EmulatorOptions, type PaiEmulator, startEmulator } from "../emulator";

/** Fake credentials the emulator accepts; they must never appear in serialized providers or state. */
export const FAKE_CREDENTIALS = {
  accessKeyId: "LTAIfakeKeyId4Tests0001",
  accessKeySecret: "fakeSecretValue-DoNotLeak-9f8e7d6c",
  securityToken: "fakeStsToken-DoNotLeak-CAIS1234567890",
};

/** Starts an emulator and points every PAI endpoint env var at it. */
export async function startProviderEmulator(options: EmulatorOptions = {}): Promise<PaiEmulator> {
  const emu = await startEmulator({
    credentials: [
      { accessKeyId: FAKE_CREDENTIALS.accessKeyId, accessKeySecret: FAKE_CREDENTIALS.accessKeySecret },
    ],
    timing: { jobCreatingMs: 15, jobQueuingMs: 15, jobRunningMs: 40, jobStoppingMs: 15, quotaCreatingMs: 20 },
    ...options,
  });
  Object.assign(process.env, {
    PAI_DLC_ENDPOINT: emu.url,
    PAI_STUDIO_ENDPOINT: emu.url,
    PAI_EAS_ENDPOINT: emu.url,
    ALIBABA_CLOUD_ACCESS_KEY_ID: FAKE_CREDENTIALS.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: FAKE_CREDENTIALS.accessKeySecret,
    PAI_POLL_BASE_MS: "5",
    PAI_POLL_MAX_MS: "25",
    PAI_RETRY_BASE_MS: "2",
    PAI_RETRY_MAX_DELAY_MS: "25",
    PAI_PROVIDER_LOG: process.env.PAI_PROVIDER_LOG ?? "silent",
  });
  return emu;
}

/** Jobs that are neither deleted nor finished-and-deleted: anything a test left behind. */
export function liveJobs(emu: PaiEmulator) {
  return emu.jobs().filter((j) => !j.deleted);
}

/** Quotas a test left behind. */
export function liveQuotas(emu: PaiEmulator) {
  return emu.quotas().filter((q) => q.deleted !== true);
}

/** Calls a provider's create and insists on outputs (CreateResult.outs is optional in the SDK type). */
export async function createWithOutputs<I, O>(
  provider: { create: (inputs: I) => Promise<{ id: string; outs?: O }> },
  inputs: I,
): Promise<{ id: string; outs: O }> {
  const result = await provider.create(inputs);
  if (result.outs === undefined) throw new Error("create returned no outputs");
  return { id: result.id, outs: result.outs };
}
