// Lifecycle clock. Status is derived lazily from timestamps (no timers), so a test can
// make phases as short as it likes, or drive a manual clock via EmulatorOptions.now.

export interface Timing {
  jobCreatingMs: number;
  jobQueuingMs: number;
  jobRunningMs: number;
  jobStoppingMs: number;
  quotaCreatingMs: number;
  serviceCreatingMs: number;
}

export const DEFAULT_TIMING: Timing = {
  jobCreatingMs: 30,
  jobQueuingMs: 30,
  jobRunningMs: 30,
  jobStoppingMs: 30,
  quotaCreatingMs: 30,
  serviceCreatingMs: 30,
};

export type Now = () => number;

/** UTC ISO-8601 without milliseconds, the format the PAI APIs use (docs/sources.md#pai-1.4). */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}
