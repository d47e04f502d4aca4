// Contract: each of the 16 operations sends the action, version, method, path and body wire names
// that docs/sources.md#pai gives. Expected values come from those sources, not from the client.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { DlcClient, EasClient, QuotaClient, staticCredentialSource } from "../../infra/pai";
import { type Recorded, startRecorder } from "./recorder";

interface Expected {
  action: string;
  version: string;
  method: string;
  path: string;
  /** Body keys at top level (exact set), or undefined for "no body". */
  bodyKeys?: string[];
  /** Query keys (exact set). */
  queryKeys?: string[];
}

const DLC = "2020-12-03"; // docs/sources.md#pai-0
const EAS = "2021-07-01";
const STUDIO = "2022-01-12";

// Canned responses carrying whatever each parser requires.
function reply(req: Recorded): { body: Record<string, unknown> } {
  const action = String(req.headers["x-acs-action"]);
  switch (action) {
    case "CreateJob":
      return { body: { JobId: "dlc-1" } };
    case "GetJob":
      return { body: { JobId: "dlc-1", Status: "Running" } };
    case "CreateQuota":
      return { body: { QuotaId: "quota-1" } };
    case "GetQuota":
      return { body: { QuotaId: "quota-1", Status: "Ready" } };
    case "DescribeService":
      return { body: { ServiceName: "svc", Status: "Running" } };
    default:
      return { body: {} };
  }
}

const region = "cn-shanghai";
let recorder: Awaited<ReturnType<typeof startRecorder>>;
let dlc: DlcClient;
let quotas: QuotaClient;
let eas: EasClient;

before(async () => {
  recorder = await startRecorder(reply);
  const options = { region, endpoint: recorder.url, credentials: staticCredentialSource("AKID", "SECRET") };
  dlc = new DlcClient(options);
  quotas = new QuotaClient(options);
  eas = new EasClient(options);
});
after(() => recorder.close());

async function sent(run: () => Promise<unknown>): Promise<Recorded> {
  const before = recorder.requests.length;
  await run();
  assert.equal(recorder.requests.length, before + 1, "exactly one request");
  return recorder.requests[before]!;
}

function assertContract(req: Recorded, expected: Expected): void {
  assert.equal(req.headers["x-acs-action"], expected.action);
  assert.equal(req.headers["x-acs-version"], expected.version);
  assert.equal(req.method, expected.method);
  assert.equal(req.path, expected.path);
  assert.ok(String(req.headers.authorization).startsWith("ACS3-HMAC-SHA256 Credential=AKID"), "signed (v3)");
  if (expected.bodyKeys === undefined) {
    assert.equal(req.rawBody, "", "no body");
  } else {
    assert.match(String(req.headers["content-type"]), /^application\/json/);
    assert.deepEqual(Object.keys(req.body as object).sort(), [...expected.bodyKeys].sort());
  }
  assert.deepEqual(Object.keys(req.query).sort(), [...(expected.queryKeys ?? [])].sort());
}

void describe("DLC 2020-12-03 (docs/sources.md#pai-1.1, docs/sources.md#pai-1.2, docs/sources.md#pai-1.3, docs/sources.md#pai-1.5)", () => {
  void it("CreateJob: POST /api/v1/jobs with docs/sources.md#pai-1.2/docs/sources.md#pai-1.3 wire names", async () => {
    const req = await sent(() =>
      dlc.createJob({
        displayName: "ft-abc",
        jobType: "PyTorchJob",
        jobSpecs: [
          {
            type: "Worker",
            image: "img",
            podCount: 2,
            resourceConfig: { cpu: "8", gpu: "1", memory: "64Gi", sharedMemory: "32Gi", gpuType: "A10" },
          },
        ],
        userCommand: "python train.py",
        workspaceId: "ws-1",
        resourceId: "quota-1",
        priority: 3,
        envs: { LR: "1e-4" },
        dataSources: [{ uri: "oss://b/data/", mountPath: "/mnt/data" }],
        jobMaxRunningTimeMinutes: 600,
        tags: { team: "ml" },
      }),
    );
    assertContract(req, {
      action: "CreateJob",
      version: DLC,
      method: "POST",
      path: "/api/v1/jobs",
      bodyKeys: [
        "DisplayName",
        "JobType",
        "JobSpecs",
        "UserCommand",
        "WorkspaceId",
        "ResourceId",
        "Priority",
        "Envs",
        "DataSources",
        "JobMaxRunningTimeMinutes",
        "Settings",
      ],
    });
    const body = req.body as Record<string, unknown>;
    assert.deepEqual(body.JobSpecs, [
      {
        Type: "Worker",
        Image: "img",
        PodCount: 2,
        ResourceConfig: { CPU: "8", GPU: "1", Memory: "64Gi", SharedMemory: "32Gi", GPUType: "A10" },
      },
    ]);
    assert.deepEqual(body.DataSources, [{ Uri: "oss://b/data/", MountPath: "/mnt/data" }]);
    assert.deepEqual(body.Settings, { Tags: { team: "ml" } });
    assert.deepEqual(body.Envs, { LR: "1e-4" });
  });

  void it("CreateJob on public resources sends JobSpecs[].EcsSpec as a string", async () => {
    const req = await sent(() =>
      dlc.createJob({
        displayName: "ft",
        jobType: "PyTorchJob",
        jobSpecs: [{ type: "Worker", image: "img", podCount: 1, ecsSpec: "ecs.gn7i-c8g1.2xlarge" }],
        userCommand: "run",
      }),
    );
    const body = req.body as { JobSpecs: Record<string, unknown>[] };
    assert.deepEqual(body.JobSpecs[0], {
      Type: "Worker",
      Image: "img",
      PodCount: 1,
      EcsSpec: "ecs.gn7i-c8g1.2xlarge",
    });
  });

  void it("CreateJob with a custom RAM role sends CredentialConfig (pai-dlc models CredentialConfig/Item/Role)", async () => {
    const roleArn = "acs:ram::1234567890123456:role/pai-finetune-dev";
    const req = await sent(() =>
      dlc.createJob({
        displayName: "ft",
        jobType: "PyTorchJob",
        jobSpecs: [{ type: "Worker", image: "img", podCount: 1, ecsSpec: "ecs.gn7i-c8g1.2xlarge" }],
        userCommand: "run",
        roleArn,
      }),
    );
    const body = req.body as Record<string, unknown>;
    assert.ok(Object.keys(body).includes("CredentialConfig"));
    assert.deepEqual(body.CredentialConfig, {
      EnableCredentialInject: true,
      AliyunEnvRoleKey: "0",
      CredentialConfigItems: [
        {
          Key: "0",
          Type: "Role",
          Roles: [{ RoleArn: roleArn, RoleType: "service", AssumeRoleFor: "1234567890123456" }],
        },
      ],
    });
    await assert.rejects(
      dlc.createJob({
        displayName: "ft",
        jobType: "PyTorchJob",
        jobSpecs: [],
        userCommand: "run",
        roleArn: "x",
      }),
      /not a RAM role ARN/,
    );
  });

  void it("GetJob: GET /api/v1/jobs/{JobId} with NeedDetail", async () => {
    const req = await sent(() => dlc.getJob("dlc-1"));
    assertContract(req, {
      action: "GetJob",
      version: DLC,
      method: "GET",
      path: "/api/v1/jobs/dlc-1",
      queryKeys: ["NeedDetail"],
    });
  });

  void it("StopJob: POST /api/v1/jobs/{JobId}/stop, no body", async () => {
    const req = await sent(() => dlc.stopJob("dlc-1"));
    assertContract(req, { action: "StopJob", version: DLC, method: "POST", path: "/api/v1/jobs/dlc-1/stop" });
  });

  void it("DeleteJob: DELETE /api/v1/jobs/{JobId}", async () => {
    const req = await sent(() => dlc.deleteJob("dlc-1"));
    assertContract(req, { action: "DeleteJob", version: DLC, method: "DELETE", path: "/api/v1/jobs/dlc-1" });
  });

  void it("ListJobs: GET /api/v1/jobs with docs/sources.md#pai-1.5 query names; Tags as a JSON string (docs/sources.md#pai-0)", async () => {
    const req = await sent(() =>
      dlc.listJobs({
        displayName: "ft",
        workspaceId: "ws-1",
        tags: { a: "b" },
        pageNumber: 2,
        pageSize: 10,
        status: "Running",
      }),
    );
    assertContract(req, {
      action: "ListJobs",
      version: DLC,
      method: "GET",
      path: "/api/v1/jobs",
      queryKeys: ["DisplayName", "WorkspaceId", "Tags", "PageNumber", "PageSize", "Status"],
    });
    assert.equal(req.query.Tags, '{"a":"b"}');
    assert.equal(req.query.PageNumber, "2");
  });

  void it("percent-encodes path parameters", async () => {
    const req = await sent(() => dlc.getJob("a/b"));
    assert.equal(req.path, "/api/v1/jobs/a%2Fb");
  });
});

void describe("PAIStudio 2022-01-12 quotas (docs/sources.md#pai-3.1, docs/sources.md#pai-3.2, docs/sources.md#pai-3.4)", () => {
  void it("CreateQuota: POST /api/v1/quotas with Min.NodeSpecs[{Type, Count}] and Labels[{Key, Value}]", async () => {
    const req = await sent(() =>
      quotas.createQuota({
        quotaName: "q1",
        resourceType: "Lingjun",
        nodeSpecs: [{ type: "ml.gu7xf.8xlarge-gu108", count: 2 }],
        resourceGroupIds: ["rg-1"],
        queueStrategy: "PaiStrategyIntelligent",
        description: "d",
        labels: [{ key: "k", value: "v" }],
        parentQuotaId: "quota-root",
      }),
    );
    assertContract(req, {
      action: "CreateQuota",
      version: STUDIO,
      method: "POST",
      path: "/api/v1/quotas",
      bodyKeys: [
        "QuotaName",
        "ResourceType",
        "ParentQuotaId",
        "ResourceGroupIds",
        "AllocateStrategy",
        "Min",
        "QueueStrategy",
        "Description",
        "Labels",
      ],
    });
    const body = req.body as Record<string, unknown>;
    assert.deepEqual(body.Min, { NodeSpecs: [{ Type: "ml.gu7xf.8xlarge-gu108", Count: 2 }] });
    assert.deepEqual(body.Labels, [{ Key: "k", Value: "v" }]);
    assert.equal(body.AllocateStrategy, "ByNodeSpecs");
  });

  void it("GetQuota: GET /api/v1/quotas/{QuotaId}", async () => {
    const req = await sent(() => quotas.getQuota("quota-1"));
    assertContract(req, {
      action: "GetQuota",
      version: STUDIO,
      method: "GET",
      path: "/api/v1/quotas/quota-1",
    });
  });

  void it("UpdateQuota: PUT /api/v1/quotas/{QuotaId} with Description, Labels, QueueStrategy", async () => {
    const req = await sent(() =>
      quotas.updateQuota("quota-1", {
        description: "d2",
        labels: [{ key: "k", value: "v2" }],
        queueStrategy: "PaiStrategyBalance",
      }),
    );
    assertContract(req, {
      action: "UpdateQuota",
      version: STUDIO,
      method: "PUT",
      path: "/api/v1/quotas/quota-1",
      bodyKeys: ["Description", "Labels", "QueueStrategy"],
    });
  });

  void it("ScaleQuota: PUT /api/v1/quotas/{QuotaId}/action/scale with Min and ResourceGroupIds", async () => {
    const req = await sent(() =>
      quotas.scaleQuota("quota-1", { nodeSpecs: [{ type: "ml.x", count: 4 }], resourceGroupIds: ["rg-1"] }),
    );
    assertContract(req, {
      action: "ScaleQuota",
      version: STUDIO,
      method: "PUT",
      path: "/api/v1/quotas/quota-1/action/scale",
      bodyKeys: ["Min", "ResourceGroupIds"],
    });
    assert.deepEqual((req.body as Record<string, unknown>).Min, { NodeSpecs: [{ Type: "ml.x", Count: 4 }] });
  });

  void it("DeleteQuota: DELETE /api/v1/quotas/{QuotaId}", async () => {
    const req = await sent(() => quotas.deleteQuota("quota-1"));
    assertContract(req, {
      action: "DeleteQuota",
      version: STUDIO,
      method: "DELETE",
      path: "/api/v1/quotas/quota-1",
    });
  });

  void it("ListQuotas: GET /api/v1/quotas/ (trailing slash) with docs/sources.md#pai-3.4 query names", async () => {
    const req = await sent(() =>
      quotas.listQuotas({ quotaName: "q1", resourceType: "Lingjun", pageSize: 100 }),
    );
    assertContract(req, {
      action: "ListQuotas",
      version: STUDIO,
      method: "GET",
      path: "/api/v1/quotas/",
      queryKeys: ["QuotaName", "ResourceType", "PageSize"],
    });
  });
});

void describe("EAS 2021-07-01 (docs/sources.md#pai-2.1, docs/sources.md#pai-2.4)", () => {
  const svc = `/api/v2/services/${region}/svc`;
  const config = {
    min: 1,
    max: 4,
    scaleStrategies: [{ metricName: "qps", threshold: 10 }],
    scaleUpStabilizationSeconds: 0,
    scaleDownStabilizationSeconds: 300,
  };

  void it("CreateServiceAutoScaler: POST .../autoscaler with camelCase min, max, scaleStrategies, behavior", async () => {
    const req = await sent(() => eas.createAutoscaler("svc", config));
    assertContract(req, {
      action: "CreateServiceAutoScaler",
      version: EAS,
      method: "POST",
      path: `${svc}/autoscaler`,
      bodyKeys: ["min", "max", "scaleStrategies", "behavior"],
    });
    const body = req.body as Record<string, unknown>;
    assert.deepEqual(body.scaleStrategies, [{ metricName: "qps", threshold: 10 }]);
    assert.deepEqual(body.behavior, {
      scaleUp: { stabilizationWindowSeconds: 0 },
      scaleDown: { stabilizationWindowSeconds: 300 },
    });
  });

  void it("UpdateServiceAutoScaler: PUT .../autoscaler with the same body", async () => {
    const req = await sent(() =>
      eas.updateAutoscaler("svc", {
        min: 2,
        max: 3,
        scaleStrategies: [{ metricName: "cpu", threshold: 70 }],
      }),
    );
    assertContract(req, {
      action: "UpdateServiceAutoScaler",
      version: EAS,
      method: "PUT",
      path: `${svc}/autoscaler`,
      bodyKeys: ["min", "max", "scaleStrategies"],
    });
  });

  void it("DescribeServiceAutoScaler: GET .../autoscaler", async () => {
    const req = await sent(() => eas.describeAutoscaler("svc"));
    assertContract(req, {
      action: "DescribeServiceAutoScaler",
      version: EAS,
      method: "GET",
      path: `${svc}/autoscaler`,
    });
  });

  void it("DeleteServiceAutoScaler: DELETE .../autoscaler", async () => {
    const req = await sent(() => eas.deleteAutoscaler("svc"));
    assertContract(req, {
      action: "DeleteServiceAutoScaler",
      version: EAS,
      method: "DELETE",
      path: `${svc}/autoscaler`,
    });
  });

  void it("DescribeService: GET /api/v2/services/{ClusterId=region}/{ServiceName}", async () => {
    const req = await sent(() => eas.describeService("svc"));
    assertContract(req, { action: "DescribeService", version: EAS, method: "GET", path: svc });
  });
});

void describe("tolerant parsing", () => {
  void it("accepts unknown fields and unknown status strings", async () => {
    const r = await startRecorder(() => ({
      body: { JobId: "dlc-9", Status: "Hibernating", BrandNewField: { x: 1 } },
    }));
    try {
      const client = new DlcClient({
        region,
        endpoint: r.url,
        credentials: staticCredentialSource("a", "b"),
      });
      const job = await client.getJob("dlc-9");
      assert.equal(job.status, "Hibernating");
    } finally {
      await r.close();
    }
  });
});
