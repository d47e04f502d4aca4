/**
 * What running the policy pack yields, as plain data: the offline plan fills it, the review renders
 * it, promotion gates on it. The pack itself (policies/) reports through CrossGuard's
 * `reportViolation`; the offline runner turns each report into one PolicyVerdict.
 */

/** CrossGuard's enforcement levels (`@pulumi/policy` EnforcementLevel, minus "remediate"). */
export type EnforcementLevel = "advisory" | "mandatory" | "disabled";

export interface PolicyVerdict {
  /** The policy's name in the pack, e.g. "gpu-memory-fit". */
  policyId: string;
  /** The level in force for this stack's environment (policies/config/<env>.json). */
  enforcementLevel: EnforcementLevel;
  /** Pulumi type token of the resource, e.g. "pai-finetune:pai:DlcJob"; absent for stack-wide verdicts. */
  resourceType?: string;
  /** Pulumi logical name of the resource; absent for stack-wide verdicts (e.g. "stack-budget"). */
  resourceName?: string;
  /** The job's or service's name in the stack file when the resource is one (else the resource name). */
  subject?: string;
  urn?: string;
  /** What a reviewer reads: what was found, against what limit, and what to do. */
  message: string;
  /** Set when an active exemption waives this verdict: it is still listed, never counted. */
  exemption?: { reason: string; expires: string };
}

export interface ExemptionStatus {
  policyId: string;
  resource: string;
  reason: string;
  /** ISO date (YYYY-MM-DD). */
  expires: string;
  /** active: in force and used; expired: past its date, no longer applies; unused: matched no verdict. */
  status: "active" | "expired" | "unused";
}

export interface PolicyOutcome {
  verdicts: PolicyVerdict[];
  exemptions: ExemptionStatus[];
  /** Verdicts at "mandatory" with no active exemption: any makes the plan fail. */
  mandatoryViolations: number;
}
