/**
 * The resolved stack: a StackConfig with every default applied, catalog references resolved, and
 * each job and service placed and sized. Plain data, no Pulumi: the program (which maps it onto the
 * components' Args), the offline plan and the reports all read the same object.
 */
import type { Catalog, InstanceType, CatalogModel } from "../catalog";
import type { ResolvedDataset } from "../data/stack-dataset";
import type {
  JobSizingInputs,
  MemoryEstimate,
  ServiceSizingInputs,
  ServiceCostEstimate,
  TrainingCostEstimate,
  TrainingSettings,
} from "../sizing";
import type {
  Environment,
  EvaluationConfig,
  JobConfig,
  PromotionConfig,
  ServiceConfig,
  StackConfig,
} from "../config/schema";
import type { MetricName } from "../evaluation/score";
import type { BucketNames } from "../layout";
import type { JobSavings, JobSuggestion } from "./savings";
import type { ResolvedSpot, SpotEstimate } from "./spot";

/** Hyperparameters with the method's defaults applied; LoRA fields only for LoRA/QLoRA. */
export interface ResolvedHyperparameters {
  epochs: number;
  learningRate: number;
  seqLen: number;
  microBatchSize: number;
  gradientAccumulationSteps: number;
  lora?: { rank: number; alpha: number; dropout: number; targets: TrainingSettings["loraTargets"] };
  freezeTrainableLayers?: number;
}

/** Where a job runs. `gpusPerNode` is what the job asks for; the instance may have more. */
export type JobPlacement =
  | { kind: "public"; instance: InstanceType; nodes: number; gpusPerNode: number; rightSized: boolean }
  | { kind: "quota"; instance: InstanceType; nodes: number; gpusPerNode: number; rightSized: boolean };

export interface ResolvedJob {
  name: string;
  config: JobConfig;
  model: CatalogModel;
  hyperparameters: ResolvedHyperparameters;
  /** Exactly what the estimator was given. */
  training: TrainingSettings;
  placement: JobPlacement;
  /** Everything the job was sized from (sizeJob); the DlcJob carries it for the policies and reports. */
  sizing: JobSizingInputs;
  memory: MemoryEstimate;
  /** GPU memory of one GPU of the placement, and whether the estimate fits with the headroom. */
  gpuMemoryBytes: number;
  headroom: number;
  fits: boolean;
  cost: TrainingCostEstimate;
  image: string;
  command: string;
  /** A short hash of everything that, when changed, makes this a different training run. */
  runHash: string;
  /** Bucket-relative locations. The output and checkpoint prefixes carry the run hash, so a new run never overwrites an old model. */
  paths: { dataset: string; baseModel: string; output: string; checkpoints: string };
  /** The validated, measured local dataset (`dataset.file`) the program uploads to `paths.dataset`. */
  dataset?: ResolvedDataset;
  /** Right-sized jobs: the memory savers the right-sizer turned on and what they saved (resolve/savings.ts). */
  savings?: JobSavings;
  /** Pinned pay-as-you-go jobs: advisory cheaper placements (same method first, then a lighter method with
   *  its caveat when it saves more), never applied. */
  suggestions?: JobSuggestion[];
  /** Spot bidding: the SpotSpec sent and the spot price/restart estimate (resolve/spot.ts). */
  spot?: ResolvedSpot & { estimate: SpotEstimate };
  /** The model this job stands for: oss://<models bucket>/<output>, or a promoted artifact's URI. */
  modelUri: string;
  /** A promoted model from another stack (`artifact:`): not trained again, served and evaluated as is. */
  artifact?: NonNullable<JobConfig["artifact"]>;
  /** The evaluation run after this job (`evaluation:`). */
  evaluation?: ResolvedEvaluation;
}

/** An evaluation job: generation on an evaluation set with the job's model, then scoring. */
export interface ResolvedEvaluation {
  /** "<job>-eval". */
  name: string;
  config: EvaluationConfig;
  /** The evaluation set in the datasets bucket and its content version (unknown without the file). */
  dataset: { path: string; version?: string; upload?: { key: string; source: string; md5: string } };
  metrics: MetricName[];
  /** The evaluated model (the job's modelUri). */
  modelUri: string;
  placement: JobPlacement;
  memory: MemoryEstimate;
  gpuMemoryBytes: number;
  headroom: number;
  fits: boolean;
  /** An upper bound: maxRunningHours at the placement's price. */
  cost: TrainingCostEstimate;
  image: string;
  command: string;
  /** Models-bucket paths: next to the model's run output. */
  paths: { output: string; metrics: string; predictions: string };
  warnings: string[];
}

export interface ResolvedService {
  name: string;
  config: ServiceConfig;
  model: CatalogModel;
  /** The job whose output it serves, if any. */
  fromJob?: ResolvedJob;
  /** Bucket-relative path of the served weights (models bucket). */
  modelPath: string;
  /** A promoted artifact's oss://bucket/path/ when the weights live outside this stack's models bucket. */
  modelUri?: string;
  /** For adapters (LoRA/QLoRA outputs): the base weights, bucket-relative. */
  baseModelPath?: string;
  instance: InstanceType;
  rightSized: boolean;
  replicas: { min: number; max: number };
  autoscaling?: {
    metricName: "qps" | "cpu" | "gpu[util]";
    threshold: number;
    scaleUpStabilizationSeconds?: number;
    scaleDownStabilizationSeconds?: number;
  };
  /** Everything the service was sized from (sizeService); its EasServiceEndpoints carries it. */
  sizing: ServiceSizingInputs;
  memory: MemoryEstimate;
  gpuMemoryBytes: number;
  fits: boolean;
  cost: ServiceCostEstimate;
  image: string;
  command: string;
}

export interface ResolvedQuota {
  name: string;
  /** The Lingjun instance type of every node (the config's `nodeSpec`, the API's NodeSpecs[].Type). */
  instance: InstanceType;
  nodes: number;
  gpuModel: string;
  gpuCount: number;
  resourceGroupIds: string[];
  parentQuotaId?: string;
  queueStrategy: string;
}

export interface ResolvedStack {
  stack: string;
  /** The file the config came from, for messages. */
  file: string;
  region: string;
  environment: Environment;
  config: StackConfig;
  catalog: Catalog;
  workspace: {
    name: string;
    displayName: string;
    description: string;
    envTypes: ("dev" | "prod")[];
    resourceGroupId?: string;
  };
  buckets: BucketNames;
  storage: StackConfig["storage"];
  quota?: ResolvedQuota;
  jobs: ResolvedJob[];
  services: ResolvedService[];
  /** `pai-finetune:promotion`: where this stack's model comes from and its gates. */
  promotion?: PromotionConfig;
}
