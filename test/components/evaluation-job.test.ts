import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { EvaluationJob, type EvaluationJobArgs } from "../../components/evaluation-job";
import { MOUNTS } from "../../infra/layout";
import {
  REGION,
  mockRuntime,
  only,
  publicOutputNames,
  registeredOutputNames,
  resourcesOf,
  valueOf,
} from "./harness";

const T = "pulumi-nodejs:dynamic/pai:DlcJob";
const OSS = `oss-${REGION}-internal.aliyuncs.com`;

const args = (over: Partial<EvaluationJobArgs> = {}): EvaluationJobArgs => ({
  region: REGION,
  workspaceId: "ws-1",
  jobName: "sft",
  runHash: "abc123",
  image: "img:1",
  command: "llamafactory-cli train --do_predict true",
  compute: { kind: "public", instanceType: "ecs.gn7i-c8g1.2xlarge" },
  buckets: { datasets: "b-datasets", checkpoints: "b-checkpoints", models: "b-models" },
  datasetPath: "tv/eval.jsonl",
  baseModelPath: "base/qwen/",
  modelUri: `oss://b-models.${OSS}/finetuned/sft/abc123/`,
  outputPath: "finetuned/sft/abc123/evaluation/0123456789abcdef/",
  datasetVersionTag: "0123456789abcdef",
  ...over,
});

describe("EvaluationJob", () => {
  before(mockRuntime);

  it("one DLC job that mounts the evaluation set, the base weights, the model and its output folder, and waits for the scores", async () => {
    const c = new EvaluationJob("ev-a", args({ maxRunningMinutes: 90 }));
    const dlc = only(await resourcesOf("ev-a"), T);
    const mounts = new Map(
      (dlc.inputs.dataSources as { uri: string; mountPath: string }[]).map((d) => [d.mountPath, d.uri]),
    );
    assert.equal(mounts.get(MOUNTS.data), `oss://b-datasets.${OSS}/tv/`);
    assert.equal(mounts.get(MOUNTS.baseModel), `oss://b-models.${OSS}/base/qwen/`);
    assert.equal(mounts.get(MOUNTS.servedModel), `oss://b-models.${OSS}/finetuned/sft/abc123/`);
    assert.equal(
      mounts.get(MOUNTS.output),
      `oss://b-models.${OSS}/finetuned/sft/abc123/evaluation/0123456789abcdef/`,
    );
    assert.equal(dlc.inputs.waitFor, "succeeded");
    assert.equal(dlc.inputs.maxRunningTimeMinutes, 90);
    assert.equal(dlc.inputs.waitTimeoutMinutes, 120);
    assert.equal(dlc.inputs.ecsSpec, "ecs.gn7i-c8g1.2xlarge");
    assert.equal((dlc.inputs.tags as Record<string, string>)["pai-finetune-evaluation"], "0123456789abcdef");
    assert.equal(
      await valueOf(c.metricsUri),
      "oss://b-models/finetuned/sft/abc123/evaluation/0123456789abcdef/metrics.json",
    );
    assert.deepEqual(publicOutputNames(c), ["jobId", "metricsUri", "status"]);
    assert.deepEqual(registeredOutputNames(c), ["jobId", "metricsUri", "status"]);
  });

  it("a promoted artifact in another bucket is mounted in the DLC form; a quota share runs on the quota", async () => {
    new EvaluationJob(
      "ev-b",
      args({
        modelUri: "oss://src-models/finetuned/sft/abc123/",
        compute: {
          kind: "quota",
          quotaId: "quota-1",
          resources: { cpu: "12", gpu: "1", memory: "100Gi", sharedMemory: "50Gi" },
        },
      }),
    );
    const dlc = only(await resourcesOf("ev-b"), T);
    const mounts = new Map(
      (dlc.inputs.dataSources as { uri: string; mountPath: string }[]).map((d) => [d.mountPath, d.uri]),
    );
    assert.equal(mounts.get(MOUNTS.servedModel), `oss://src-models.${OSS}/finetuned/sft/abc123/`);
    assert.equal(dlc.inputs.resourceId, "quota-1");
    assert.equal(dlc.inputs.ecsSpec, undefined);
  });
});
