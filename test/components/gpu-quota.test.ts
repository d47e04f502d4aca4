import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { GpuQuota } from "../../components/gpu-quota";
import {
  REGION,
  mockRuntime,
  only,
  publicOutputNames,
  registeredOutputNames,
  resourcesOf,
  valueOf,
} from "./harness";

const T = "pulumi-nodejs:dynamic/pai:GpuQuota";

describe("GpuQuota", () => {
  before(mockRuntime);

  it("asks for a Lingjun quota of the instance type, with the default queue strategy", async () => {
    const q = new GpuQuota("quota-root", {
      region: REGION,
      quotaName: "team-quota",
      instanceType: "ml.gu7xf.8xlarge-gu108",
      nodeCount: 2,
      gpusPerNode: 8,
      resourceGroupIds: ["rg-lingjun"],
    });
    const r = only(await resourcesOf("quota-root"), T);
    assert.deepEqual(r.inputs, {
      region: REGION,
      quotaName: "team-quota",
      resourceType: "Lingjun",
      nodeSpec: "ml.gu7xf.8xlarge-gu108",
      nodeCount: 2,
      resourceGroupIds: ["rg-lingjun"],
      queueStrategy: "PaiStrategyIntelligent",
    });
    assert.equal(await valueOf(q.gpuCount), 16);
    assert.equal(await valueOf(q.quotaId), "<quota id of team-quota>");
  });

  it("a child quota names its parent and labels, no resource groups", async () => {
    new GpuQuota("quota-child", {
      region: REGION,
      quotaName: "child",
      instanceType: "ml.gu7xf.8xlarge-gu108",
      nodeCount: 1,
      gpusPerNode: 8,
      parentQuotaId: "quota-parent",
      queueStrategy: "PaiStrategyStrictFIFO",
      labels: { team: "nlp" },
    });
    const r = only(await resourcesOf("quota-child"), T);
    assert.equal(r.inputs.parentQuotaId, "quota-parent");
    assert.equal(r.inputs.queueStrategy, "PaiStrategyStrictFIFO");
    assert.deepEqual(r.inputs.labels, { team: "nlp" });
    assert.equal("resourceGroupIds" in r.inputs, false);
  });

  it("registers every public output", () => {
    const q = new GpuQuota("quota-outputs", {
      region: REGION,
      quotaName: "q",
      instanceType: "ml.gu7xf.8xlarge-gu108",
      nodeCount: 1,
      gpusPerNode: 8,
    });
    assert.deepEqual(registeredOutputNames(q), publicOutputNames(q));
  });
});
