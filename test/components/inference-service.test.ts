import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import {
  InferenceService,
  easServiceConfig,
  type InferenceServiceArgs,
} from "../../components/inference-service";
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

const T = {
  service: "alicloud:pai/service:Service",
  autoscaler: "pulumi-nodejs:dynamic/pai:EasAutoscaler",
  endpoints: "pulumi-nodejs:dynamic/pai:EasServiceEndpoints",
};

const args = (over: Partial<InferenceServiceArgs> = {}): InferenceServiceArgs => ({
  serviceName: "chat",
  image: "vllm:1",
  command: "vllm serve /mnt/model",
  instanceType: "ecs.gn7i-c8g1.2xlarge",
  replicas: { min: 1, max: 1 },
  modelPath: "runs/sft-abc123/",
  region: REGION,
  workspaceId: "ws-1",
  modelsBucket: "b-models",
  ...over,
});

describe("InferenceService", () => {
  before(mockRuntime);

  it("deploys full weights read-only from the models bucket, with endpoints and no autoscaler", async () => {
    const svc = new InferenceService("svc-full", args());
    const rs = await resourcesOf("svc-full");
    const service = only(rs, T.service);
    assert.deepEqual(JSON.parse(service.inputs.serviceConfig as string), {
      metadata: { name: "chat", instance: 1, workspace_id: "ws-1" },
      cloud: { computing: { instance_type: "ecs.gn7i-c8g1.2xlarge" } },
      containers: [{ image: "vllm:1", script: "vllm serve /mnt/model", port: 8000 }],
      storage: [
        { mount_path: MOUNTS.servedModel, oss: { path: "oss://b-models/runs/sft-abc123/", readOnly: true } },
      ],
      networking: { disable_internet_endpoint: true },
      credential: { generate_token: true },
    });
    assert.deepEqual(service.inputs.tags, { "managed-by": "pai-finetune" });
    assert.equal(rs.filter((r) => r.type === T.autoscaler).length, 0);
    // The service's id is its EAS name, as the real provider sets it.
    assert.equal(only(rs, T.endpoints).inputs.serviceName, "chat");
    assert.equal(await valueOf(svc.modelUri), "oss://b-models/runs/sft-abc123/");
    assert.match(await valueOf(svc.intranetEndpoint), /\.vpc\./);
  });

  it("mounts an adapter beside its base weights and tags the job it serves", async () => {
    new InferenceService(
      "svc-adapter",
      args({ baseModelPath: "base/qwen/", jobName: "sft", jobOutputUri: "oss://b-models/runs/sft-abc123/" }),
    );
    const service = only(await resourcesOf("svc-adapter"), T.service);
    const config = JSON.parse(service.inputs.serviceConfig as string) as { storage: unknown[] };
    assert.deepEqual(config.storage, [
      { mount_path: MOUNTS.servedModel, oss: { path: "oss://b-models/base/qwen/", readOnly: true } },
      { mount_path: MOUNTS.adapter, oss: { path: "oss://b-models/runs/sft-abc123/", readOnly: true } },
    ]);
    assert.deepEqual(service.inputs.tags, { "managed-by": "pai-finetune", "pai-finetune-job": "sft" });
  });

  it("adds an autoscaler between the replica bounds when asked", async () => {
    new InferenceService(
      "svc-scaled",
      args({
        replicas: { min: 1, max: 4 },
        autoscaling: { metricName: "qps", threshold: 20, scaleDownStabilizationSeconds: 600 },
      }),
    );
    const scaler = only(await resourcesOf("svc-scaled"), T.autoscaler);
    assert.deepEqual(scaler.inputs, {
      region: REGION,
      serviceName: "chat",
      min: 1,
      max: 4,
      strategies: [{ metricName: "qps", threshold: 20 }],
      scaleDownStabilizationSeconds: 600,
    });
  });

  it("easServiceConfig starts min replicas, and opens the internet endpoint only when asked", () => {
    const doc = easServiceConfig(args({ replicas: { min: 2, max: 5 } }), "b", "ws");
    assert.deepEqual(doc.metadata, { name: "chat", instance: 2, workspace_id: "ws" });
    assert.deepEqual(doc.networking, { disable_internet_endpoint: true });
    const open = easServiceConfig(args({ publicEndpoint: true }), "b", "ws");
    assert.deepEqual(open.networking, { disable_internet_endpoint: false });
  });

  it("registers every public output", () => {
    const svc = new InferenceService("svc-outputs", args());
    assert.deepEqual(registeredOutputNames(svc), publicOutputNames(svc));
  });
});
