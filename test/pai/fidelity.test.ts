/**
 * Fidelity points left open by the comparison with the official SDKs (issue 8): the autoscaler's
 * free-form Behavior in both documented shapes, "no autoscaler" read from an empty answer, the
 * emulator's invented error codes labelled, and the PAIStudio host table.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { staticCredentialSource } from "../../infra/pai/credentials";
import { EasClient } from "../../infra/pai/eas";
import { REGION_HOST_OVERRIDES, resolveEndpoint } from "../../infra/pai/endpoints";
import { ApiError, INVENTED_LABEL } from "../emulator/errors";
import { startRecorder } from "./recorder";

let answer: Record<string, unknown> = {};
let recorder: Awaited<ReturnType<typeof startRecorder>>;
let eas: EasClient;
before(async () => {
  recorder = await startRecorder(() => ({ body: answer }));
  eas = new EasClient({
    region: "cn-shanghai",
    endpoint: recorder.url,
    credentials: staticCredentialSource("AKID", "SECRET"),
  });
});
after(() => recorder.close());

const strategies = [{ metricName: "qps", threshold: 10 }];

describe("DescribeServiceAutoScaler", () => {
  it("reads Behavior flat and nested under a second `behavior` key (the API reference's example)", async () => {
    const windows = {
      scaleUp: { stabilizationWindowSeconds: 30 },
      scaleDown: { stabilizationWindowSeconds: 600 },
    };
    for (const Behavior of [windows, { behavior: windows }]) {
      answer = { ServiceName: "svc", MinReplica: 1, MaxReplica: 3, ScaleStrategies: strategies, Behavior };
      const state = await eas.describeAutoscaler("svc");
      assert.equal(state?.scaleUpStabilizationSeconds, 30, JSON.stringify(Behavior));
      assert.equal(state?.scaleDownStabilizationSeconds, 600, JSON.stringify(Behavior));
    }
  });

  it("no strategies and no positive minimum is no autoscaler, whatever else the answer holds", async () => {
    for (const a of [
      { MinReplica: 0, MaxReplica: 0 },
      { MinReplica: 0, MaxReplica: 5, ScaleStrategies: [] },
      {},
    ]) {
      answer = { ServiceName: "svc", ...a };
      assert.equal(await eas.describeAutoscaler("svc"), undefined, JSON.stringify(a));
    }
    answer = { ServiceName: "svc", MinReplica: 2, MaxReplica: 4, ScaleStrategies: [] };
    assert.equal((await eas.describeAutoscaler("svc"))?.min, 2, "a positive minimum alone is an autoscaler");
  });
});

describe("the emulator's invented error codes", () => {
  it("carry a label in their message; documented ones do not", () => {
    const invented = new ApiError(404, "InvalidAutoscaler.NotFound", "none", "undocumented");
    assert.ok(invented.message.endsWith(INVENTED_LABEL));
    assert.ok(!new ApiError(404, "InvalidService.NotFound", "gone").message.includes(INVENTED_LABEL));
  });
});

describe("PAIStudio host", () => {
  it("keeps the documented cn-hangzhou host; a row in the override table changes one region only", () => {
    assert.deepEqual(REGION_HOST_OVERRIDES.studio, {});
    assert.equal(
      resolveEndpoint("studio", "cn-hangzhou", undefined, {}).host,
      "pai.cn-hangzhou.aliyuncs.com",
    );
    const table = { dlc: {}, eas: {}, studio: { "cn-hangzhou": "pai.cn-hangzhou.data.aliyun.com" } };
    assert.equal(
      resolveEndpoint("studio", "cn-hangzhou", undefined, {}, table).host,
      "pai.cn-hangzhou.data.aliyun.com",
    );
    assert.equal(
      resolveEndpoint("studio", "cn-beijing", undefined, {}, table).host,
      "pai.cn-beijing.aliyuncs.com",
    );
    assert.equal(
      resolveEndpoint(
        "studio",
        "cn-hangzhou",
        undefined,
        { PAI_STUDIO_ENDPOINT: "http://127.0.0.1:9" },
        table,
      ).host,
      "127.0.0.1:9",
      "the environment still wins",
    );
  });
});
