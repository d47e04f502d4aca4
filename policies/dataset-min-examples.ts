/**
 * dataset-min-examples: a job trains on enough examples — at least 200 for a chat model (the
 * common guidance for supervised fine-tuning of an instruction model), 1,000 for a base model,
 * which must also learn the conversation format. The count is the job's workload (`sizing`),
 * the field measured counts will fill.
 */
import { definePolicy, type Finding } from "./lib/define";
import { jobSizing, label, ofType, TYPES } from "./lib/resources";

export interface DatasetMinExamplesConfig {
  minChat: number;
  minBase: number;
}

export const datasetMinExamples = definePolicy<DatasetMinExamplesConfig>({
  name: "dataset-min-examples",
  description: "A job trains on at least 200 examples for a chat model, 1,000 for a base model.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      minChat: { type: "integer", minimum: 1, default: 200 },
      minBase: { type: "integer", minimum: 1, default: 1000 },
    },
  },
  evaluate: (resources, config) => {
    const out: Finding[] = [];
    for (const r of ofType(resources, TYPES.dlcJob)) {
      const s = jobSizing(r);
      if (!s.known) {
        out.push({
          resource: r,
          message: `${label(r)}: ${s.path} is unknown at preview, so its example count cannot be checked; fails closed`,
        });
        continue;
      }
      if (!s.value) continue;
      const { examples } = s.value.workload;
      const chat = s.value.model.variant === "chat";
      const min = chat ? config.minChat : config.minBase;
      if (examples < min)
        out.push({
          resource: r,
          message: `${label(r)} trains ${s.value.model.id} (a ${chat ? "chat" : "base"} model) on ${examples} examples; at least ${min} are needed for the tuning to generalise rather than memorise: add examples (dataset.examples)`,
        });
    }
    return out;
  },
});
