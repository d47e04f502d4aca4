/**
 * Exemptions: `pai-finetune:exemptions` in the stack file, each waiving one policy for one
 * resource until a date. The program records them on its root component (FineTunePlatform's
 * `policyExemptions` input, a JSON string) so the pack sees them under `pulumi preview`; the offline
 * plan reads the same list and reports what became of each.
 */
import type { PolicyResource } from "@pulumi/policy";
import { read, TYPES } from "./resources";

export interface Exemption {
  /** Policy id, e.g. "service-access". */
  policy: string;
  /** The job or service name in the stack file, or a Pulumi resource name; "stack" for stack-wide verdicts. */
  resource: string;
  reason: string;
  /** Last day it applies (YYYY-MM-DD, UTC). */
  expires: string;
}

/** The exemptions the program recorded; none when the root component is absent or its input unknown. */
export function readExemptions(resources: readonly PolicyResource[]): Exemption[] {
  const root = resources.find((r) => r.type === TYPES.platform);
  if (!root) return [];
  const text = read(() => root.props.policyExemptions as unknown);
  if (!text.known || typeof text.value !== "string") return [];
  try {
    const list = JSON.parse(text.value) as unknown;
    return Array.isArray(list) ? (list as Exemption[]) : [];
  } catch {
    return [];
  }
}

/** Active through its expiry day (UTC): "2026-12-31" still applies on 31 December. */
export const isExpired = (e: Exemption, today: string) => e.expires < today;

export function activeExemption(
  exemptions: readonly Exemption[],
  policy: string,
  names: readonly string[],
  today: string,
): Exemption | undefined {
  return exemptions.find((e) => e.policy === policy && names.includes(e.resource) && !isExpired(e, today));
}
