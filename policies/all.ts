/**
 * Every policy of the pack, in report order. Importing this has no side effect (index.ts is what
 * starts the analyzer server), so the offline plan runs these very objects.
 */
import { bucketSecurity } from "./bucket-security";
import { chatTemplateMatch } from "./chat-template-match";
import { costUnknown } from "./cost-unknown";
import { datasetMinExamples } from "./dataset-min-examples";
import type { PaiPolicy } from "./lib/define";
import { gpuMemoryCap } from "./gpu-memory-cap";
import { gpuMemoryFit } from "./gpu-memory-fit";
import { gpuOverprovisioning } from "./gpu-overprovisioning";
import { jobCostCap } from "./job-cost-cap";
import { jobRoleLeastPrivilege } from "./job-role-least-privilege";
import { maxRunTime } from "./max-run-time";
import { noPlaintextSecrets } from "./no-plaintext-secrets";
import { prodAvailability } from "./prod-availability";
import { quotaFit } from "./quota-fit";
import { quotaGpuHoursCap } from "./quota-gpu-hours-cap";
import { serviceAccess } from "./service-access";
import { serviceCostCap } from "./service-cost-cap";
import { stackBudget } from "./stack-budget";

export const POLICIES: readonly PaiPolicy<never>[] = [
  gpuMemoryFit,
  gpuMemoryCap,
  gpuOverprovisioning,
  jobCostCap,
  serviceCostCap,
  stackBudget,
  costUnknown,
  quotaGpuHoursCap,
  maxRunTime,
  quotaFit,
  bucketSecurity,
  jobRoleLeastPrivilege,
  serviceAccess,
  noPlaintextSecrets,
  prodAvailability,
  datasetMinExamples,
  chatTemplateMatch,
];
