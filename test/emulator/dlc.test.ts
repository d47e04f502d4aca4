// DLC jobs: strict CreateJob validation, lifecycle on the clock, stop/delete rules, ListJobs.
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import type OpenApi from "@alicloud/openapi-client";
import { type PaiEmulator, startEmulator } from "./index";
import { VERSION, call, callError, client, raw, validJob, waitFor } from "./helpers";

const ROLE = "acs:ram::1234567890123456:role/pai-finetune-dev";
const credentialItem = (over: Record<string, unknown> = {}) => ({
  Key: "0",
  Type: "Role",
  Roles: [{ RoleArn: ROLE, RoleType: "service", AssumeRoleFor: "1234567890123456" }],
  ...over,
});
const credentialConfig = (item: Record<string, unknown> = {}) => ({
  EnableCredentialInject: true,
  AliyunEnvRoleKey: "0",
  CredentialConfigItems: [credentialItem(item)],
});

const TIMING = {
  jobCreatingMs: 1000,
  jobQueuingMs: 1000,
  jobRunningMs: 1000,
  jobStoppingMs: 1000,
  quotaCreatingMs: 1000,
};

void describe("DLC jobs (manual clock)", () => {
  let emu: PaiEmulator;
  let c: OpenApi;
  let t = 1_900_000_000_000;
  before(async () => {
    emu = await startEmulator({ timing: TIMING, now: () => t });
    c = client(emu);
  });
  after(() => emu.close());
  beforeEach(() => {
    emu.faults.clear();
  });

  const create = (body: Record<string, unknown>) =>
    call(c, "dlc", "CreateJob", "POST", "/api/v1/jobs", { body });
  const get = (id: unknown) => call(c, "dlc", "GetJob", "GET", `/api/v1/jobs/${String(id)}`);
  const stop = (id: unknown) => call(c, "dlc", "StopJob", "POST", `/api/v1/jobs/${String(id)}/stop`);
  const del = (id: unknown) => call(c, "dlc", "DeleteJob", "DELETE", `/api/v1/jobs/${String(id)}`);
  const list = (query: Record<string, string> = {}) =>
    call(c, "dlc", "ListJobs", "GET", "/api/v1/jobs", { query });

  async function readyQuota(): Promise<string> {
    const q = await call(c, "paistudio", "CreateQuota", "POST", "/api/v1/quotas", {
      body: {
        QuotaName: "q1",
        ResourceType: "Lingjun",
        Min: { NodeSpecs: [{ Type: "ml.gu7xf.8xlarge-gu108", Count: 1 }] },
      },
    });
    t += TIMING.quotaCreatingMs;
    return String(q.QuotaId);
  }

  const refusals: [string, Record<string, unknown>, RegExp][] = [
    ["missing DisplayName", { DisplayName: undefined }, /"DisplayName"/],
    ["DisplayName with a space", { DisplayName: "bad name" }, /"DisplayName"/],
    ["DisplayName of 257 chars", { DisplayName: "a".repeat(257) }, /"DisplayName"/],
    ["JobType in the wrong case", { JobType: "pytorchjob" }, /"JobType".*case-sensitive/],
    ["missing UserCommand", { UserCommand: undefined }, /"UserCommand"/],
    ["empty JobSpecs", { JobSpecs: [] }, /"JobSpecs"/],
    [
      "JobSpec role not valid for the JobType",
      { JobSpecs: [{ Type: "PS", Image: "i", PodCount: 1, EcsSpec: "ecs.g6.large" }] },
      /"JobSpecs\[0\]\.Type"/,
    ],
    [
      "PodCount 0",
      { JobSpecs: [{ Type: "Worker", Image: "i", PodCount: 0, EcsSpec: "ecs.g6.large" }] },
      /"JobSpecs\[0\]\.PodCount"/,
    ],
    [
      "PodCount as a string",
      { JobSpecs: [{ Type: "Worker", Image: "i", PodCount: "1", EcsSpec: "ecs.g6.large" }] },
      /"JobSpecs\[0\]\.PodCount"/,
    ],
    [
      "a public job without EcsSpec",
      { JobSpecs: [{ Type: "Worker", Image: "i", PodCount: 1 }] },
      /"JobSpecs\[0\]\.EcsSpec"/,
    ],
    [
      "EcsSpec together with ResourceConfig",
      {
        JobSpecs: [
          { Type: "Worker", Image: "i", PodCount: 1, EcsSpec: "ecs.g6.large", ResourceConfig: { CPU: "4" } },
        ],
      },
      /"JobSpecs\[0\]\.EcsSpec"/,
    ],
    ["Priority 10", { Priority: 10 }, /"Priority"/],
    ["Priority 0", { Priority: 0 }, /"Priority"/],
    ["an unknown top-level field", { Displayname: "x" }, /"Displayname".*unknown field/],
    [
      "an unknown JobSpec field",
      { JobSpecs: [{ Type: "Worker", Image: "i", PodCount: 1, EcsSpec: "e", Gpu: 1 }] },
      /"JobSpecs\[0\]\.Gpu"/,
    ],
    ["non-string Envs values", { Envs: { A: 1 } }, /"Envs\.A"/],
    ["a non-string Settings.Tags value", { Settings: { Tags: { team: 7 } } }, /"Settings\.Tags\.team"/],
    ["a ResourceId that is no quota", { ResourceId: "quota-nope" }, /"ResourceId"/],
    [
      "an unknown CredentialConfig field",
      { CredentialConfig: { EnableCredentialInject: true, RoleArn: ROLE } },
      /"CredentialConfig\.RoleArn".*unknown field/,
    ],
    [
      "EnableCredentialInject as a string",
      { CredentialConfig: { ...credentialConfig(), EnableCredentialInject: "true" } },
      /"CredentialConfig\.EnableCredentialInject"/,
    ],
    [
      "a credential item Type in the wrong case",
      { CredentialConfig: credentialConfig({ Type: "role" }) },
      /"CredentialConfig\.CredentialConfigItems\[0\]\.Type".*case-sensitive/,
    ],
    [
      "a role without RoleArn",
      { CredentialConfig: credentialConfig({ Roles: [{ RoleType: "service", AssumeRoleFor: "1234" }] }) },
      /"CredentialConfig\.CredentialConfigItems\[0\]\.Roles\[0\]\.RoleArn"/,
    ],
    [
      "a RoleArn that is no RAM role ARN",
      {
        CredentialConfig: credentialConfig({ Roles: [{ RoleArn: "pai-finetune-dev", RoleType: "service" }] }),
      },
      /"CredentialConfig\.CredentialConfigItems\[0\]\.Roles\[0\]\.RoleArn"/,
    ],
    [
      "an unknown RoleType",
      { CredentialConfig: credentialConfig({ Roles: [{ RoleArn: ROLE, RoleType: "Service" }] }) },
      /"CredentialConfig\.CredentialConfigItems\[0\]\.Roles\[0\]\.RoleType"/,
    ],
    [
      "a role field in camelCase",
      { CredentialConfig: credentialConfig({ Roles: [{ roleArn: ROLE }] }) },
      /"CredentialConfig\.CredentialConfigItems\[0\]\.Roles\[0\]\.roleArn".*unknown field/,
    ],
    [
      "two RAM roles (the doc allows one per job)",
      {
        CredentialConfig: {
          ...credentialConfig(),
          CredentialConfigItems: [credentialItem(), credentialItem({ Key: "1" })],
        },
      },
      /"CredentialConfig\.CredentialConfigItems".*only one RAM role/,
    ],
    [
      "an AliyunEnvRoleKey that names no item",
      { CredentialConfig: { ...credentialConfig(), AliyunEnvRoleKey: "7" } },
      /"CredentialConfig\.AliyunEnvRoleKey"/,
    ],
  ];
  for (const [what, override, message] of refusals) {
    void it(`refuses CreateJob with ${what}`, async () => {
      const body = validJob(override);
      for (const k of Object.keys(body)) if (body[k] === undefined) delete body[k];
      const err = await callError(create(body));
      assert.equal(err.statusCode, 400);
      assert.match(String(err.data.Code), /^(InvalidParameter|MissingParameter)$/);
      assert.match(String(err.data.Message), message);
    });
  }

  void it("accepts a custom RAM role as CredentialConfig and returns it from GetJob", async () => {
    const body = validJob({ CredentialConfig: credentialConfig() });
    const created = await create(body);
    const job = await get(created.JobId);
    assert.deepEqual(job.CredentialConfig, credentialConfig());
    const off = await create(validJob({ CredentialConfig: { EnableCredentialInject: false } }));
    assert.match(String(off.JobId), /^dlc/);
  });

  void it("refuses ResourceConfig values that are not strings, and quota jobs without ResourceConfig", async () => {
    const quotaId = await readyQuota();
    const numeric = await callError(
      create(
        validJob({
          ResourceId: quotaId,
          JobSpecs: [{ Type: "Worker", Image: "i", PodCount: 1, ResourceConfig: { CPU: 4 } }],
        }),
      ),
    );
    assert.match(String(numeric.data.Message), /"JobSpecs\[0\]\.ResourceConfig\.CPU".*string/);
    const noRc = await callError(create(validJob({ ResourceId: quotaId })));
    assert.match(String(noRc.data.Message), /"JobSpecs\[0\]\.(ResourceConfig|EcsSpec)"/);
    const ok = await create(
      validJob({
        ResourceId: quotaId,
        JobSpecs: [
          {
            Type: "Worker",
            Image: "i",
            PodCount: 2,
            ResourceConfig: { CPU: "8", GPU: "1", Memory: "64Gi", SharedMemory: "32Gi" },
          },
        ],
      }),
    );
    assert.match(String(ok.JobId), /^dlc/);
  });

  void it("refuses a ResourceId whose quota is not Ready yet", async () => {
    const q = await call(c, "paistudio", "CreateQuota", "POST", "/api/v1/quotas", {
      body: { QuotaName: "fresh", Min: { NodeSpecs: [{ Type: "ecs.gn7i-c8g1.2xlarge", Count: 1 }] } },
    });
    const err = await callError(
      create(
        validJob({
          ResourceId: q.QuotaId,
          JobSpecs: [{ Type: "Worker", Image: "i", PodCount: 1, ResourceConfig: { CPU: "1" } }],
        }),
      ),
    );
    assert.match(String(err.data.Message), /"ResourceId".*Creating, not Ready/);
  });

  void it("refuses a CreateJob body over 65,536 bytes", async () => {
    const err = await callError(create(validJob({ UserCommand: "x".repeat(70_000) })));
    assert.equal(err.statusCode, 400);
    assert.match(String(err.data.Message), /65536/);
  });

  void it("moves a job Creating → Queuing → Running → Succeeded and records the history", async () => {
    const { JobId } = await create(validJob());
    const seen = [];
    for (let i = 0; i < 4; i++) {
      seen.push((await get(JobId)).Status);
      t += 1000;
    }
    assert.deepEqual(seen, ["Creating", "Queuing", "Running", "Succeeded"]);
    const job = await get(JobId);
    assert.equal(job.ReasonCode, "JobSucceeded");
    assert.equal(job.Duration, 1);
    assert.match(String(job.GmtSuccessedTime), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.deepEqual(
      (job.StatusHistory as { Status: string }[]).map((h) => h.Status),
      seen,
    );
    assert.equal((job.JobSpecs as unknown[]).length, 1);
    assert.equal(job.WorkspaceId, "12345");
  });

  void it("ends jobs matched by failJobs as Failed with the given reason", async () => {
    emu.failJobs((j) => j.DisplayName === "doomed", { code: "JobFailed", message: "OOM" });
    const { JobId } = await create(validJob({ DisplayName: "doomed" }));
    t += 3000;
    const job = await get(JobId);
    assert.equal(job.Status, "Failed");
    assert.equal(job.ReasonCode, "JobFailed");
    assert.equal(job.ReasonMessage, "OOM");
    const other = await create(validJob({ DisplayName: "fine" }));
    t += 3000;
    assert.equal((await get(other.JobId)).Status, "Succeeded");
  });

  void it("refuses deleting a running job; stop → Stopping → Stopped, then delete works", async () => {
    emu.holdJobsRunning((j) => j.DisplayName === "held");
    const { JobId } = await create(validJob({ DisplayName: "held" }));
    t += 10_000;
    assert.equal((await get(JobId)).Status, "Running");
    const refused = await callError(del(JobId));
    assert.equal(refused.statusCode, 400);
    assert.match(String(refused.data.Message), /Running/);
    await stop(JobId);
    assert.equal((await get(JobId)).Status, "Stopping");
    t += 1000;
    const stopped = await get(JobId);
    assert.equal(stopped.Status, "Stopped");
    assert.equal(stopped.ReasonCode, "JobStoppedByUser");
    const stopAgain = await callError(stop(JobId));
    assert.equal(stopAgain.statusCode, 400);
    await del(JobId);
    const gone = await callError(get(JobId));
    assert.equal(gone.statusCode, 404);
    assert.equal(gone.code, "NotFound");
    assert.equal(emu.jobs().find((j) => j.JobId === JobId)?.deleted, true);
    assert.ok(!((await list()).Jobs as { JobId: string }[]).some((j) => j.JobId === JobId));
  });

  void it("answers 404 NotFound for an unknown job id on Get, Stop and Delete", async () => {
    for (const op of [get, stop, del]) {
      const err = await callError(op("dlcdoesnotexist"));
      assert.equal(err.statusCode, 404);
      assert.equal(err.code, "NotFound");
    }
  });

  void it("lists jobs with DisplayName (fuzzy), Status, WorkspaceId, Tags and paging", async () => {
    await create(
      validJob({ DisplayName: "lst-alpha", WorkspaceId: "w-1", Settings: { Tags: { team: "nlp" } } }),
    );
    await create(validJob({ DisplayName: "lst-beta", WorkspaceId: "w-2" }));
    await create(validJob({ DisplayName: "LST-gamma", WorkspaceId: "w-1" }));
    const names = (b: Record<string, unknown>) =>
      (b.Jobs as { DisplayName: string }[]).map((j) => j.DisplayName).sort();
    assert.deepEqual(names(await list({ DisplayName: "lst" })), ["LST-gamma", "lst-alpha", "lst-beta"]);
    assert.deepEqual(names(await list({ DisplayName: "lst", WorkspaceId: "w-1" })), [
      "LST-gamma",
      "lst-alpha",
    ]);
    assert.deepEqual(names(await list({ Tags: JSON.stringify({ team: "nlp" }) })), ["lst-alpha"]);
    assert.deepEqual(names(await list({ DisplayName: "lst", Status: "Creating" })), [
      "LST-gamma",
      "lst-alpha",
      "lst-beta",
    ]);
    assert.deepEqual(names(await list({ DisplayName: "lst", Status: "Running" })), []);
    const page = await list({ DisplayName: "lst", PageSize: "2", PageNumber: "2" });
    assert.equal(page.TotalCount, 3);
    assert.equal((page.Jobs as unknown[]).length, 1);
  });

  void it("refuses bad ListJobs query values and unknown parameters", async () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ Status: "running" }, /"Status"/],
      [{ PageNumber: "0" }, /"PageNumber"/],
      [{ ShowOwn: "yes" }, /"ShowOwn"/],
      [{ Tags: "team=nlp" }, /"Tags"/],
      [{ Colour: "red" }, /"Colour"/],
    ];
    for (const [query, message] of cases) {
      const err = await callError(list(query));
      assert.equal(err.statusCode, 400);
      assert.match(String(err.data.Message), message);
    }
  });
});

void describe("DLC jobs (real clock, tiny timings)", () => {
  void it("reaches Succeeded on its own", async () => {
    const emu = await startEmulator({ timing: { jobCreatingMs: 2, jobQueuingMs: 2, jobRunningMs: 2 } });
    try {
      const c = client(emu);
      const { JobId } = await call(c, "dlc", "CreateJob", "POST", "/api/v1/jobs", { body: validJob() });
      await waitFor(
        async () =>
          (await call(c, "dlc", "GetJob", "GET", `/api/v1/jobs/${String(JobId)}`)).Status === "Succeeded",
      );
      assert.equal(emu.jobs()[0]?.Status, "Succeeded");
      // Also reachable with a hand-built request (sanity check of the raw helper).
      const res = await raw(emu, {
        method: "GET",
        path: `/api/v1/jobs/${String(JobId)}`,
        action: "GetJob",
        version: VERSION.dlc,
      });
      assert.equal(res.body.Status, "Succeeded");
    } finally {
      await emu.close();
    }
  });
});
