// EAS autoscaler provider logic (docs/sources.md#pai-2.1, docs/sources.md#pai-2.4). Loaded at call time by ../eas-autoscaler.ts.
import { z } from "zod";
import { type AutoscalerConfig, EasClient, PaiApiError, isAmbiguous } from "../../../infra/pai";
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { type EasAutoscalerInputs, type EasAutoscalerOutputs } from "../eas-autoscaler";
import {
  checkInputs,
  clientOptions,
  definedOnly,
  diffKeys,
  knownOnly,
  regionIdSchema,
  report,
  unlessNotFound,
  wasNotFound,
} from "./common";

/** Changes that move the autoscaler to another service: replace. */
export const REPLACE_KEYS = ["region", "serviceName"] as const;
/** UpdateServiceAutoScaler in place. */
export const UPDATE_KEYS = [
  "min",
  "max",
  "strategies",
  "scaleUpStabilizationSeconds",
  "scaleDownStabilizationSeconds",
] as const;

const seconds = z.number().int().min(0, "must be ≥ 0");
const inputsSchema = z
  .object({
    region: regionIdSchema,
    serviceName: z.string().trim().min(1, "must not be empty"),
    min: z.number().int().min(1, "must be at least 1 (docs/sources.md#pai-2.4: min > 0)"),
    max: z.number().int().min(1),
    strategies: z
      .array(
        z.object({
          // docs/sources.md#pai-2.4: documented metric names; others (gpu, memory) are UNCONFIRMED (docs/sources.md#pai-6.6) and refused.
          metricName: z.enum(["qps", "cpu", "gpu[util]"], "must be qps, cpu or gpu[util]"),
          threshold: z.number().positive("must be > 0"),
        }),
      )
      .min(1, "needs at least one strategy"),
    scaleUpStabilizationSeconds: seconds.optional(),
    scaleDownStabilizationSeconds: seconds.optional(),
    endpoint: z.string().optional(),
  })
  .partial();
const REQUIRED = ["region", "serviceName", "min", "max", "strategies"] as const;

/** Validates inputs; unknown preview values are skipped. */
export function check(
  _olds: EasAutoscalerInputs,
  news: EasAutoscalerInputs,
): Promise<dynamic.CheckResult<EasAutoscalerInputs>> {
  const failures = checkInputs(news, REQUIRED, inputsSchema);
  // Checked separately: zod skips refinements once a field has failed.
  const { min, max } = knownOnly(news);
  if (typeof min === "number" && typeof max === "number" && !(max > min)) {
    failures.push({ property: "max", reason: `must be greater than min (${min}); docs/sources.md#pai-2.4` });
  }
  return Promise.resolve({ inputs: news, failures });
}

/** serviceName/region → replace; limits, strategies, windows → in place. */
export function diff(
  _id: string,
  olds: EasAutoscalerOutputs,
  news: EasAutoscalerInputs,
): Promise<dynamic.DiffResult> {
  const d = diffKeys(olds as never, news as never, REPLACE_KEYS, UPDATE_KEYS);
  return Promise.resolve({ changes: d.changes, replaces: d.replaces, deleteBeforeReplace: false });
}

const client = (inputs: Pick<EasAutoscalerInputs, "region" | "endpoint">) =>
  new EasClient(clientOptions(inputs.region, inputs.endpoint));
const config = (inputs: EasAutoscalerInputs): AutoscalerConfig => ({
  min: inputs.min,
  max: inputs.max,
  scaleStrategies: inputs.strategies.map((s) => ({ metricName: s.metricName, threshold: s.threshold })),
  scaleUpStabilizationSeconds: inputs.scaleUpStabilizationSeconds,
  scaleDownStabilizationSeconds: inputs.scaleDownStabilizationSeconds,
});
const autoscalerId = (inputs: EasAutoscalerInputs) => `${inputs.region}/${inputs.serviceName}`;

/**
 * Describe first: an autoscaler already on the service (e.g. from an interrupted create) is updated
 * to the desired config instead of created twice. After an ambiguous create failure, describe again.
 */
export async function create(
  inputs: EasAutoscalerInputs,
): Promise<dynamic.CreateResult<EasAutoscalerOutputs>> {
  const eas = client(inputs);
  const service = await eas.describeService(inputs.serviceName); // clear error if the service is missing
  for (let round = 1; ; round++) {
    if (await unlessNotFound(eas.describeAutoscaler(inputs.serviceName))) {
      await eas.updateAutoscaler(inputs.serviceName, config(inputs));
      break;
    }
    try {
      await eas.createAutoscaler(inputs.serviceName, config(inputs));
      break;
    } catch (err) {
      if (!(err instanceof PaiApiError) || !isAmbiguous(err) || round >= 6) throw err;
    }
  }
  report(`EAS autoscaler ${autoscalerId(inputs)}: ${inputs.min}..${inputs.max} replicas`);
  return { id: autoscalerId(inputs), outs: definedOnly({ ...inputs, serviceStatus: service.status }) };
}

/** Refreshes limits and strategies from the API; gone when the autoscaler or the service is gone. */
export async function read(
  id: string,
  props?: EasAutoscalerOutputs,
): Promise<dynamic.ReadResult<EasAutoscalerOutputs>> {
  if (!props)
    throw new Error(`EAS autoscaler ${id}: cannot read without prior state (import is not supported)`);
  const live = await unlessNotFound(client(props).describeAutoscaler(props.serviceName));
  if (!live) return { id: "", props: undefined };
  const strategies = live.scaleStrategies.map((s) => ({
    // Describe may return upper-case names (docs/sources.md#pai-2.4 examples: QPS, CPU); state keeps the input spelling.
    metricName: (s.metricName.toLowerCase() === "gpu[util]" ? "gpu[util]" : s.metricName.toLowerCase()) as
      "qps" | "cpu" | "gpu[util]",
    threshold: s.threshold,
  }));
  return {
    id,
    props: definedOnly({
      ...props,
      min: live.min ?? props.min,
      max: live.max ?? props.max,
      strategies,
      scaleUpStabilizationSeconds: live.scaleUpStabilizationSeconds ?? props.scaleUpStabilizationSeconds,
      scaleDownStabilizationSeconds:
        live.scaleDownStabilizationSeconds ?? props.scaleDownStabilizationSeconds,
    }),
  };
}

/** UpdateServiceAutoScaler with the full desired config. */
export async function update(
  _id: string,
  _olds: EasAutoscalerOutputs,
  news: EasAutoscalerInputs,
): Promise<dynamic.UpdateResult<EasAutoscalerOutputs>> {
  await client(news).updateAutoscaler(news.serviceName, config(news));
  return { outs: definedOnly({ ...news }) };
}

/** DeleteServiceAutoScaler; not-found (autoscaler or service) is success. */
export async function remove(_id: string, props: EasAutoscalerOutputs): Promise<void> {
  await wasNotFound(client(props).deleteAutoscaler(props.serviceName));
}
