import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { FineTuneJob, quotaPodResources, type FineTuneJobArgs } from "../../components/finetune-job";
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

const args = (over: Partial<FineTuneJobArgs> = {}): FineTuneJobArgs => ({
  region: REGION,
  workspaceId: "ws-1",
  jobName: "sft",
  runHash: "abc123",
  method: "lora",
  image: "img:1",
  command: "llamafactory-cli train",
  nodes: 1,
  compute: { kind: "public", instanceType: "ecs.gn7i-c8g1.2xlarge" },
  buckets: { datasets: "b-datasets", checkpoints: "b-checkpoints", models: "b-models" },
  paths: {
    dataset: "tv/train.jsonl",
    baseModel: "base/qwen/",
    output: "runs/sft-abc123/",
    checkpoints: "sft-abc123/",
  },
  ...over,
});

describe("FineTuneJob", () => {
  before(mockRuntime);

  it("runs on public instances with the stack's data mounted and the documented defaults", async () => {
    const job = new FineTuneJob("job-public", args());
    const r = only(await resourcesOf("job-public"), T);
    assert.equal(r.inputs.displayName, "pf-sft-abc123");
    assert.equal(r.inputs.ecsSpec, "ecs.gn7i-c8g1.2xlarge");
    assert.equal("resourceId" in r.inputs, false);
    assert.equal("resourceConfig" in r.inputs, false);
    assert.equal("roleArn" in r.inputs, false, "the workspace's default role");
    assert.equal("maxRunningTimeMinutes" in r.inputs, false);
    assert.equal(r.inputs.waitFor, "submitted");
    assert.equal(r.inputs.waitTimeoutMinutes, 60);
    assert.deepEqual(r.inputs.dataSources, [
      { uri: `oss://b-datasets.${OSS}/tv/`, mountPath: MOUNTS.data },
      { uri: `oss://b-models.${OSS}/base/qwen/`, mountPath: MOUNTS.baseModel },
      { uri: `oss://b-models.${OSS}/runs/sft-abc123/`, mountPath: MOUNTS.output },
      { uri: `oss://b-checkpoints.${OSS}/sft-abc123/`, mountPath: MOUNTS.checkpoints },
    ]);
    assert.deepEqual(r.inputs.tags, {
      "pai-finetune-job": "sft",
      "pai-finetune-run": "abc123",
      "pai-finetune-method": "lora",
    });
    assert.equal(await valueOf(job.outputUri), `oss://b-models.${OSS}/runs/sft-abc123/`);
    assert.equal(await valueOf(job.checkpointUri), `oss://b-checkpoints.${OSS}/sft-abc123/`);
    assert.equal(await valueOf(job.jobId), "<dlc job id of pf-sft-abc123>");
  });

  it("on a quota, asks for its share of a node instead of an instance type", async () => {
    const resources = quotaPodResources({ vcpu: 128, memoryGiB: 1024, gpuCount: 8 }, 2);
    assert.deepEqual(resources, { cpu: "32", gpu: "2", memory: "256Gi", sharedMemory: "128Gi" });
    new FineTuneJob(
      "job-quota",
      args({ compute: { kind: "quota", quotaId: "quota-1", resources }, priority: 5, nodes: 2 }),
    );
    const r = only(await resourcesOf("job-quota"), T);
    assert.equal("ecsSpec" in r.inputs, false);
    assert.equal(r.inputs.resourceId, "quota-1");
    assert.deepEqual(r.inputs.resourceConfig, resources);
    assert.equal(r.inputs.priority, 5);
    assert.equal(r.inputs.podCount, 2);
  });

  it("waits for success up to the run limit plus half an hour, with the given role, prefix and endpoint", async () => {
    new FineTuneJob(
      "job-wait",
      args({
        waitFor: "succeeded",
        maxRunningMinutes: 120,
        roleArn: "acs:ram::1:role/r",
        displayNamePrefix: "prod",
        ossEndpoint: "oss-custom.example",
      }),
    );
    const r = only(await resourcesOf("job-wait"), T);
    assert.equal(r.inputs.waitTimeoutMinutes, 150);
    assert.equal(r.inputs.maxRunningTimeMinutes, 120);
    assert.equal(r.inputs.roleArn, "acs:ram::1:role/r");
    assert.equal(r.inputs.displayName, "prod-sft-abc123");
    assert.equal(r.inputs.outputUri, "oss://b-models.oss-custom.example/runs/sft-abc123/");
  });

  it("mounts the bucket root when the dataset sits at the top of it", async () => {
    new FineTuneJob("job-root", args({ paths: { ...args().paths, dataset: "train.jsonl" } }));
    const r = only(await resourcesOf("job-root"), T);
    const sources = r.inputs.dataSources as { uri: string }[];
    assert.equal(sources[0]!.uri, `oss://b-datasets.${OSS}/`);
  });

  it("takes Outputs for the region and buckets (the URIs then resolve when they do)", async () => {
    const later = <T>(v: T) => pulumi.output(Promise.resolve(v));
    const job = new FineTuneJob(
      "job-outputs-in",
      args({
        region: later(REGION),
        buckets: { datasets: later("o-datasets"), checkpoints: later("o-checkpoints"), models: "o-models" },
      }),
    );
    const r = only(await resourcesOf("job-outputs-in"), T);
    const sources = r.inputs.dataSources as { uri: string }[];
    assert.deepEqual(
      sources.map((d) => d.uri),
      [
        `oss://o-datasets.${OSS}/tv/`,
        `oss://o-models.${OSS}/base/qwen/`,
        `oss://o-models.${OSS}/runs/sft-abc123/`,
        `oss://o-checkpoints.${OSS}/sft-abc123/`,
      ],
    );
    assert.equal(await valueOf(job.checkpointUri), `oss://o-checkpoints.${OSS}/sft-abc123/`);
  });

  it("registers every public output", () => {
    const job = new FineTuneJob("job-outputs", args());
    assert.deepEqual(registeredOutputNames(job), publicOutputNames(job));
  });
});
