// PAI-DLC fine-tune job as a Pulumi resource (a dynamic provider: @pulumi/alicloud has no DLC job).
// The logic lives in impl/dlc-job.ts and is loaded at call time (see load-impl.ts).
import * as pulumi from "@pulumi/pulumi";
import type * as Impl from "./impl/dlc-job";
import { thinProvider } from "./thin-provider";

/** Plain inputs of a DLC job (what the provider receives). */
export interface DlcJobInputs {
  /** Region id, e.g. `cn-hangzhou`. Change → replace. */
  region: string;
  /** PAI workspace id. Change → replace. */
  workspaceId: string;
  /**
   * Deterministic base name, ≤ 200 chars of [A-Za-z0-9_.-]. The job's DisplayName is
   * `<displayName>-<spec hash>`, which is also the idempotency key. Change → replace.
   */
  displayName: string;
  /** DLC job type; only `PyTorchJob` is supported. Change → replace. */
  jobType: "PyTorchJob";
  /** Container image. Change → replace. */
  image: string;
  /** Startup command of every node. Change → replace. */
  userCommand: string;
  /** Worker count (≥ 1). Change → replace. */
  podCount: number;
  /** Public pay-as-you-go instance type (set this or resourceConfig+resourceId). Change → replace. */
  ecsSpec?: string;
  /** Per-pod resources on a quota (with resourceId). Change → replace. */
  resourceConfig?: { cpu: string; gpu: string; memory: string; sharedMemory?: string; gpuType?: string };
  /** Lingjun quota id to run on (with resourceConfig). Change → replace. */
  resourceId?: string;
  /** Environment variables (hyperparameters). Stored as a secret output. Change → replace. */
  envs?: Record<string, string>;
  /** Dataset mounts. Change → replace. */
  dataSources?: { uri: string; mountPath: string }[];
  /** Max run time in minutes. Default: none (API default). Change → replace. */
  maxRunningTimeMinutes?: number;
  /** Priority 1..9 (quota jobs only). Default: API default 1. Change → replace. */
  priority?: number;
  /**
   * RAM role the job runs as (`acs:ram::<account id>:role/<name>`), sent as CreateJob CredentialConfig.
   * Default: none (the workspace's default role). Change → replace.
   */
  roleArn?: string;
  /** Tags, sent as Settings.Tags at submit. Change → update in place, state only (no UpdateJob call). */
  tags?: Record<string, string>;
  /** Where the job writes the model (oss://...). Recorded only; never deleted by this provider. Change → replace. */
  outputUri: string;
  /** What create/update waits for. Change → update in place (waits again if further). */
  waitFor: "submitted" | "running" | "succeeded";
  /** Wait limit in minutes. Default 60 for `running`, 1440 for `succeeded`. Change → update in place. */
  waitTimeoutMinutes?: number;
  /** Endpoint override (host or URL). Default: env PAI_DLC_ENDPOINT, then pai-dlc.<region>.aliyuncs.com. No diff. */
  endpoint?: string;
  /**
   * What the job was sized from (model architecture, settings, workload, instance, headroom), as
   * `encodeJobSizing` writes it, so the policy pack and review reports can recompute its GPU memory
   * and cost from this resource alone (`sizeJob(decodeJobSizing(sizing))` in infra/sizing).
   * Informational: never sent to PAI, not part of the diff or the run hash, so an estimator or
   * catalog update never replaces a job. Default: absent.
   */
  sizing?: string;
}

/** State of a DLC job. */
export interface DlcJobOutputs extends DlcJobInputs {
  /** DLC job id. */
  jobId: string;
  /** Last seen status (Creating, Queuing, Running, Succeeded, Failed, Stopped, or a newer value). */
  status: string;
  /** Reason code from DLC (e.g. on failure). */
  reasonCode?: string;
  /** Reason message from DLC. */
  reasonMessage?: string;
  /** Creation time (UTC ISO-8601). */
  gmtCreateTime?: string;
  /** The DisplayName actually submitted (`<displayName>-<spec hash>`). */
  jobDisplayName?: string;
}

/** Resource arguments: every input may be a Pulumi Input. */
export type DlcJobArgs = { [K in keyof DlcJobInputs]: pulumi.Input<DlcJobInputs[K]> };

/** The dynamic provider (thin; loads impl/dlc-job.ts at call time). */
export const dlcJobProvider = thinProvider<DlcJobInputs, DlcJobOutputs, typeof Impl>("dlc-job");

/** A PAI-DLC job. Type token `pulumi-nodejs:dynamic/pai:DlcJob`. */
export class DlcJob extends pulumi.dynamic.Resource {
  /** DLC job id. */
  declare readonly jobId: pulumi.Output<string>;
  /** Last seen status. */
  declare readonly status: pulumi.Output<string>;
  /** Where the model is written (never deleted by this resource). */
  declare readonly outputUri: pulumi.Output<string>;
  /** Reason code reported by DLC, if any. */
  declare readonly reasonCode: pulumi.Output<string | undefined>;
  /** The DisplayName submitted to DLC. */
  declare readonly jobDisplayName: pulumi.Output<string>;

  constructor(name: string, args: DlcJobArgs, opts?: pulumi.CustomResourceOptions) {
    const props = {
      ...args,
      jobId: undefined,
      status: undefined,
      reasonCode: undefined,
      jobDisplayName: undefined,
    };
    super(
      dlcJobProvider,
      name,
      props,
      { ...opts, additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "envs"] },
      "pai",
      "DlcJob",
    );
  }
}
