// EAS: CreateService/DescribeService/DeleteService and autoscaler CRUD.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type OpenApi from "@alicloud/openapi-client";
import { type PaiEmulator, startEmulator } from "./index";
import { call, callError, client } from "./helpers";

const REGION = "cn-shanghai";

function serviceJson(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    metadata: { name, instance: 1, cpu: 8, memory: 32000, gpu: 1 },
    cloud: { computing: { instance_type: "ecs.gn7i-c8g1.2xlarge" } },
    containers: [{ image: "eas-registry/vllm:0.6", command: "vllm serve /model", port: 8000 }],
    ...extra,
  };
}

void describe("EAS services and autoscalers (manual clock)", () => {
  let emu: PaiEmulator;
  let c: OpenApi;
  let t = 1_900_000_000_000;
  before(async () => {
    emu = await startEmulator({ region: REGION, now: () => t, timing: { serviceCreatingMs: 1000 } });
    c = client(emu);
  });
  after(() => emu.close());

  // The generated SDK passes the service JSON as a string body (docs/sources.md#pai-2.1).
  const createService = (cfg: unknown, query?: Record<string, string>) =>
    call(c, "eas", "CreateService", "POST", "/api/v2/services", {
      body: typeof cfg === "string" ? cfg : JSON.stringify(cfg),
      ...(query ? { query } : {}),
    });
  const svcPath = (name: string, region = REGION) => `/api/v2/services/${region}/${name}`;
  const describeService = (name: string, region = REGION) =>
    call(c, "eas", "DescribeService", "GET", svcPath(name, region));
  const deleteService = (name: string) => call(c, "eas", "DeleteService", "DELETE", svcPath(name));
  const as = (action: string, method: string, name: string, body?: unknown) =>
    call(c, "eas", action, method, `${svcPath(name)}/autoscaler`, body === undefined ? {} : { body });

  void it("creates a service that is Creating, then Running, and describes it with ServiceConfig as a JSON string", async () => {
    const cfg = serviceJson("llm_chat");
    const created = await createService(cfg, {
      Labels: JSON.stringify({ team: "nlp" }),
      WorkspaceId: "12345",
    });
    assert.equal(created.ServiceName, "llm_chat");
    assert.equal(created.Region, REGION);
    assert.match(String(created.ServiceId), /^eas-m-/);
    assert.equal((await describeService("llm_chat")).Status, "Creating");
    t += 1000;
    const svc = await describeService("llm_chat");
    assert.equal(svc.Status, "Running");
    assert.equal(typeof svc.ServiceConfig, "string");
    assert.deepEqual(JSON.parse(String(svc.ServiceConfig)), cfg);
    assert.equal(svc.RunningInstance, 1);
    assert.deepEqual(svc.Labels, [{ LabelKey: "team", LabelValue: "nlp" }]);
    assert.equal(svc.WorkspaceId, "12345");
  });

  void it("accepts the service name at the top level too", async () => {
    const cfg = serviceJson("x");
    const meta = cfg.metadata as Record<string, unknown>;
    delete meta.name;
    const created = await createService({ ...cfg, name: "top_level_name" });
    assert.equal(created.ServiceName, "top_level_name");
  });

  const refusals: [string, unknown, RegExp][] = [
    ["no name", { metadata: { instance: 1 }, containers: [{ image: "i" }] }, /"metadata\.name"/],
    ["an upper-case name", serviceJson("Bad-Name"), /"metadata\.name"/],
    [
      "no metadata.instance",
      { metadata: { name: "n1" }, containers: [{ image: "i" }] },
      /"metadata\.instance"/,
    ],
    [
      "a negative metadata.instance",
      { metadata: { name: "n1", instance: -1 }, containers: [{ image: "i" }] },
      /"metadata\.instance"/,
    ],
    ["nothing to run", { metadata: { name: "n1", instance: 1 } }, /"containers"/],
    [
      "a container without image",
      { metadata: { name: "n1", instance: 1 }, containers: [{ port: 8000 }] },
      /"containers\[0\]\.image"/,
    ],
    [
      "resource group and cloud.computing together",
      serviceJson("n1", { metadata: { name: "n1", instance: 1, resource: "eas-r-1" } }),
      /"cloud\.computing"/,
    ],
    ["a double-encoded JSON string body", JSON.stringify(JSON.stringify(serviceJson("n1"))), /"body"/],
  ];
  for (const [what, cfg, message] of refusals) {
    void it(`refuses CreateService with ${what}`, async () => {
      const err = await callError(createService(cfg));
      assert.equal(err.statusCode, 400);
      assert.match(String(err.data.Message), message);
    });
  }

  void it("refuses a duplicate service name with 409", async () => {
    await createService(serviceJson("dup_svc"));
    const err = await callError(createService(serviceJson("dup_svc")));
    assert.equal(err.statusCode, 409);
  });

  void it("answers InvalidService.NotFound for a missing service and refuses a ClusterId that is not the region", async () => {
    const missing = await callError(describeService("no_such_service"));
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.code, "InvalidService.NotFound");
    const wrongRegion = await callError(describeService("llm_chat", "cn-hangzhou"));
    assert.equal(wrongRegion.statusCode, 400);
    assert.match(String(wrongRegion.data.Message), /"ClusterId"/);
  });

  void it("runs the autoscaler lifecycle: create, conflict, describe, update, delete", async () => {
    await createService(serviceJson("scaled"));
    const none = await callError(as("DescribeServiceAutoScaler", "GET", "scaled"));
    assert.equal(none.statusCode, 404);
    const spec = {
      min: 1,
      max: 4,
      scaleStrategies: [{ metricName: "qps", threshold: 10 }],
      behavior: { scaleDown: { stabilizationWindowSeconds: 120 } },
    };
    await as("CreateServiceAutoScaler", "POST", "scaled", spec);
    const conflict = await callError(as("CreateServiceAutoScaler", "POST", "scaled", spec));
    assert.equal(conflict.statusCode, 409);
    const d = await as("DescribeServiceAutoScaler", "GET", "scaled");
    assert.equal(d.MinReplica, 1);
    assert.equal(d.MaxReplica, 4);
    assert.deepEqual(d.ScaleStrategies, [{ service: "scaled", metricName: "qps", threshold: 10 }]);
    assert.deepEqual(d.Behavior, {
      scaleUp: { stabilizationWindowSeconds: 0 },
      scaleDown: { stabilizationWindowSeconds: 120 },
      onZero: { scaleDownGracePeriodSeconds: 600, scaleUpActivationReplicas: 1 },
    });
    assert.deepEqual(d.CurrentMetrics, [{ metricName: "qps", value: 0, service: "scaled" }]);
    await as("UpdateServiceAutoScaler", "PUT", "scaled", {
      min: 2,
      max: 8,
      scaleStrategies: [{ metricName: "gpu[util]", threshold: 70.5 }],
    });
    const u = await as("DescribeServiceAutoScaler", "GET", "scaled");
    assert.equal(u.MaxReplica, 8);
    assert.equal((u.ScaleStrategies as { metricName: string }[])[0]?.metricName, "gpu[util]");
    assert.equal(emu.autoscalers().length, 1);
    await as("DeleteServiceAutoScaler", "DELETE", "scaled");
    const gone = await callError(as("DescribeServiceAutoScaler", "GET", "scaled"));
    assert.equal(gone.statusCode, 404);
    const again = await callError(as("DeleteServiceAutoScaler", "DELETE", "scaled"));
    assert.equal(again.statusCode, 404);
    const updateNone = await callError(as("UpdateServiceAutoScaler", "PUT", "scaled", spec));
    assert.equal(updateNone.statusCode, 404);
  });

  void it("refuses an autoscaler on a missing service with InvalidService.NotFound", async () => {
    const err = await callError(
      as("CreateServiceAutoScaler", "POST", "ghost", {
        min: 1,
        max: 2,
        scaleStrategies: [{ metricName: "cpu", threshold: 50 }],
      }),
    );
    assert.equal(err.statusCode, 404);
    assert.equal(err.code, "InvalidService.NotFound");
  });

  const bad: [string, Record<string, unknown>, RegExp][] = [
    ["min 0", { min: 0, max: 2, scaleStrategies: [{ metricName: "qps", threshold: 1 }] }, /"min"/],
    ["max equal to min", { min: 2, max: 2, scaleStrategies: [{ metricName: "qps", threshold: 1 }] }, /"max"/],
    ["missing max", { min: 1, scaleStrategies: [{ metricName: "qps", threshold: 1 }] }, /"max"/],
    ["PascalCase keys", { MinReplica: 1, max: 2, scaleStrategies: [] }, /"MinReplica"/],
    ["no scaleStrategies", { min: 1, max: 2, scaleStrategies: [] }, /"scaleStrategies"/],
    [
      "an upper-case metric name",
      { min: 1, max: 2, scaleStrategies: [{ metricName: "QPS", threshold: 1 }] },
      /"scaleStrategies\[0\]\.metricName"/,
    ],
    [
      "a string threshold",
      { min: 1, max: 2, scaleStrategies: [{ metricName: "cpu", threshold: "50" }] },
      /"scaleStrategies\[0\]\.threshold"/,
    ],
    [
      "a missing threshold",
      { min: 1, max: 2, scaleStrategies: [{ metricName: "cpu" }] },
      /"scaleStrategies\[0\]\.threshold"/,
    ],
    [
      "a fractional stabilization window",
      {
        min: 1,
        max: 2,
        scaleStrategies: [{ metricName: "cpu", threshold: 5 }],
        behavior: { scaleUp: { stabilizationWindowSeconds: 1.5 } },
      },
      /"behavior\.scaleUp\.stabilizationWindowSeconds"/,
    ],
    [
      "an unknown behavior key",
      { min: 1, max: 2, scaleStrategies: [{ metricName: "cpu", threshold: 5 }], behavior: { onzero: {} } },
      /"behavior\.onzero"/,
    ],
  ];
  for (const [what, body, message] of bad) {
    void it(`refuses an autoscaler with ${what}`, async () => {
      await createService(serviceJson(`v_${what.replace(/\W+/g, "_").toLowerCase()}`));
      const err = await callError(
        as("CreateServiceAutoScaler", "POST", `v_${what.replace(/\W+/g, "_").toLowerCase()}`, body),
      );
      assert.equal(err.statusCode, 400);
      assert.match(String(err.data.Message), message);
    });
  }

  void it("deletes a service together with its autoscaler; describe then answers InvalidService.NotFound", async () => {
    await createService(serviceJson("short_lived"));
    await as("CreateServiceAutoScaler", "POST", "short_lived", {
      min: 1,
      max: 2,
      scaleStrategies: [{ metricName: "cpu", threshold: 60 }],
    });
    await deleteService("short_lived");
    const err = await callError(describeService("short_lived"));
    assert.equal(err.code, "InvalidService.NotFound");
    assert.ok(!emu.autoscalers().some((a) => a.ServiceName === "short_lived"));
    assert.equal(emu.services().find((s) => s.ServiceName === "short_lived")?.deleted, true);
    const recreated = await createService(serviceJson("short_lived"));
    assert.equal(recreated.ServiceName, "short_lived");
  });
});
