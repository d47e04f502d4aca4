// DLC job provider lifecycle against the emulator: check, create, read, update in place, replace,
// delete; a failing job reports its reason; a running job is stopped before delete; no job is left.
import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import {
  type DlcJobInputs,
  type DlcJobOutputs,
  dlcJobProvider as provider,
} from "../../components/providers/dlc-job";
import * as path from "node:path";
import { jobDisplayName } from "../../components/providers/impl/dlc-job";
import { resolveStackFile } from "../../infra/resolve/stack";
import { encodeJobSizing } from "../../infra/sizing";
import { type PaiEmulator } from "../emulator";
import { liveJobs, startProviderEmulator, createWithOutputs } from "./setup";

let emu: PaiEmulator;
before(async () => {
  emu = await startProviderEmulator();
});
afterEach(() => {
  assert.deepEqual(
    liveJobs(emu).map((j) => j.JobId),
    [],
    "no job left behind",
  );
});
after(() => emu.close());

const base = (name: string, over: Partial<DlcJobInputs> = {}): DlcJobInputs => ({
  region: "cn-hangzhou",
  workspaceId: "ws-1",
  displayName: name,
  jobType: "PyTorchJob",
  image: "registry.cn-hangzhou.aliyuncs.com/pai/llm:1",
  userCommand: "python train.py --method lora",
  podCount: 1,
  ecsSpec: "ecs.gn7i-c8g1.2xlarge",
  envs: { LEARNING_RATE: "1e-4" },
  dataSources: [{ uri: "oss://bucket/data/", mountPath: "/mnt/data" }],
  outputUri: "oss://bucket/output/",
  waitFor: "running",
  ...over,
});

const actions = (from: number) =>
  emu
    .requests()
    .slice(from)
    .map((r) => r.action);

void describe("DlcJob provider", () => {
  void it("check accepts valid inputs and names the bad properties", async () => {
    assert.deepEqual((await provider.check!(base("ok"), base("ok"))).failures, []);
    const bad = await provider.check!(
      base("ok"),
      base("bad name!", { podCount: 0, outputUri: "s3://x", ecsSpec: undefined, waitFor: "done" as never }),
    );
    const props = (bad.failures ?? []).map((f) => f.property).sort();
    for (const p of ["displayName", "podCount", "outputUri", "waitFor"])
      assert.ok(props.includes(p), `${p} in ${props.join()}`);
    const both = await provider.check!(
      base("ok"),
      base("ok", { resourceId: "quota-1", resourceConfig: { cpu: "8", gpu: "1", memory: "64Gi" } }),
    );
    assert.ok(
      (both.failures ?? []).some((f) => f.property === "ecsSpec"),
      "ecsSpec and quota are exclusive",
    );
  });

  void it("check skips values that are unknown during preview", async () => {
    const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
    const result = await provider.check!(base("ok"), base("ok", { workspaceId: unknown, region: unknown }));
    assert.deepEqual(result.failures, []);
  });

  void it("check in a first preview: a quota job whose quota id and role ARN are not known yet passes", async () => {
    const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
    const onQuota = base("quota", {
      ecsSpec: undefined,
      resourceId: unknown,
      resourceConfig: { cpu: "8", gpu: "1", memory: "64Gi" },
      roleArn: unknown,
    });
    assert.deepEqual((await provider.check!({} as DlcJobInputs, onQuota)).failures, []);
    // Still refused when the quota id is truly missing, known or not.
    const missing = base("quota", {
      ecsSpec: undefined,
      resourceConfig: { cpu: "8", gpu: "1", memory: "64Gi" },
    });
    assert.deepEqual(
      ((await provider.check!({} as DlcJobInputs, missing)).failures ?? []).map((f) => f.property),
      ["resourceId"],
    );
  });

  void it("diff: training changes replace, wait settings and tags update in place", async () => {
    const olds = { ...base("d"), jobId: "dlc-1", status: "Running" } as DlcJobOutputs;
    assert.deepEqual(await provider.diff!("dlc-1", olds, base("d")), {
      changes: false,
      replaces: [],
      deleteBeforeReplace: false,
    });
    const inPlace = await provider.diff!(
      "dlc-1",
      olds,
      base("d", { waitFor: "succeeded", tags: { a: "b" } }),
    );
    assert.equal(inPlace.changes, true);
    assert.deepEqual(inPlace.replaces, []);
    for (const [key, value] of [
      ["image", "other:2"],
      ["userCommand", "python train.py --method full"],
      ["envs", { LEARNING_RATE: "2e-4" }],
      ["dataSources", [{ uri: "oss://bucket/other/", mountPath: "/mnt/data" }]],
      ["podCount", 2],
      ["workspaceId", "ws-2"],
      ["roleArn", "acs:ram::1234567890123456:role/other"],
    ] as const) {
      const d = await provider.diff!("dlc-1", olds, { ...base("d"), [key]: value });
      assert.deepEqual(d.replaces, [key], key);
    }
  });

  void it("create → read → update in place → replace → delete", async () => {
    const first = base("lifecycle", { waitFor: "submitted" });
    const created = await createWithOutputs(provider, first);
    assert.match(created.id, /\S/);
    assert.equal(created.outs.jobId, created.id);
    assert.ok(created.outs.jobDisplayName?.startsWith("lifecycle-"));

    const read = await provider.read!(created.id, created.outs);
    assert.equal(read.id, created.id);
    assert.ok(read.props?.status);

    // In place: wait for success now (the job keeps running in the emulator, then succeeds).
    const waitMore = { ...first, waitFor: "succeeded" as const };
    assert.deepEqual((await provider.diff!(created.id, created.outs, waitMore)).replaces, []);
    const updated = await provider.update!(created.id, created.outs, waitMore);
    assert.equal(updated.outs?.status, "Succeeded");
    assert.equal(updated.outs?.jobId, created.id);
    assert.equal(emu.jobs().length, 1, "update did not submit another job");

    // Replace: new hyperparameters → new job created first, old one deleted after.
    const changed = { ...waitMore, envs: { LEARNING_RATE: "5e-5" }, waitFor: "running" as const };
    assert.deepEqual((await provider.diff!(created.id, updated.outs, changed)).replaces, ["envs"]);
    const replacement = await createWithOutputs(provider, changed);
    assert.notEqual(replacement.id, created.id);
    assert.notEqual(replacement.outs.jobDisplayName, created.outs.jobDisplayName);
    await provider.delete!(created.id, updated.outs);
    assert.equal(emu.jobs().find((j) => j.JobId === created.id)?.deleted, true);

    await provider.delete!(replacement.id, replacement.outs);
    assert.equal(
      (await provider.read!(replacement.id, replacement.outs)).id,
      "",
      "read reports a deleted job gone",
    );
    await provider.delete!(replacement.id, replacement.outs); // deleting twice is fine
  });

  void it("roleArn: validated, sent as CredentialConfig, and a role makes another run", async () => {
    const roleArn = "acs:ram::1234567890123456:role/pai-finetune-dev";
    const bad = await provider.check!(base("r"), base("r", { roleArn: "pai-finetune-dev" }));
    assert.deepEqual(
      (bad.failures ?? []).map((f) => f.property),
      ["roleArn"],
    );
    assert.deepEqual((await provider.check!(base("r"), base("r", { roleArn }))).failures, []);

    const withRole = await createWithOutputs(provider, base("role", { roleArn, waitFor: "submitted" }));
    assert.equal(withRole.outs.roleArn, roleArn);
    const record = emu.jobs().find((j) => j.JobId === withRole.id);
    assert.deepEqual(record?.CredentialConfig, {
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
    const without = await createWithOutputs(provider, base("role", { waitFor: "submitted" }));
    assert.equal(emu.jobs().find((j) => j.JobId === without.id)?.CredentialConfig, undefined);
    assert.notEqual(without.outs.jobDisplayName, withRole.outs.jobDisplayName, "a role is another run");
    await provider.delete!(withRole.id, withRole.outs);
    await provider.delete!(without.id, without.outs);
  });

  void it("a job that fails reports its reason, and stays in state so it can be deleted", async () => {
    emu.failJobs((j) => j.DisplayName.startsWith("doomed-"), {
      code: "JobFailed",
      message: "CUDA out of memory at step 12",
    });
    const err = await createWithOutputs(provider, base("doomed", { waitFor: "succeeded" })).then(
      () => assert.fail("create should fail"),
      (e: unknown) => e as Error & { id: string; properties: DlcJobOutputs & { __provider?: string } },
    );
    assert.match(err.message, /ended Failed/);
    assert.match(err.message, /JobFailed: CUDA out of memory at step 12/);
    assert.ok(err.id, "init error carries the job id (kept in state, not orphaned)");
    assert.equal(err.properties.reasonCode, "JobFailed");
    await provider.delete!(err.id, err.properties);
  });

  void it("a running job is stopped before it is deleted", async () => {
    emu.holdJobsRunning((j) => j.DisplayName.startsWith("held-"));
    const created = await createWithOutputs(provider, base("held"));
    assert.equal(created.outs.status, "Running");
    const from = emu.requests().length;
    await provider.delete!(created.id, created.outs);
    const seen = actions(from);
    const stop = seen.indexOf("StopJob");
    const del = seen.lastIndexOf("DeleteJob");
    assert.ok(stop >= 0 && del > stop, `StopJob before DeleteJob: ${seen.join(",")}`);
    const record = emu.jobs().find((j) => j.JobId === created.id);
    assert.equal(record?.deleted, true);
    assert.equal(record?.Status, "Stopped");
  });

  void it("a dropped CreateJob response does not start a second job", async () => {
    const before = emu.jobs().length;
    emu.faults.inject({ kind: "drop-after-action", action: "CreateJob" });
    const created = await createWithOutputs(provider, base("dropped", { waitFor: "submitted" }));
    const mine = emu.jobs().slice(before);
    assert.equal(mine.length, 1, "exactly one job");
    assert.equal(mine[0]?.JobId, created.id);
    await provider.delete!(created.id, created.outs);
  });

  void it("a retried create adopts the live job left by an interrupted run", async () => {
    emu.holdJobsRunning((j) => j.DisplayName.startsWith("again-"));
    const first = await createWithOutputs(provider, base("again"));
    const second = await createWithOutputs(provider, base("again"));
    assert.equal(second.id, first.id);
    assert.equal(emu.jobs().filter((j) => j.DisplayName.startsWith("again-")).length, 1);
    await provider.delete!(first.id, first.outs);
  });
  // Last: its job record stays in the emulator (deleted), and earlier tests count jobs from zero.
  void it("sizing is informational: checked through, never diffed, hashed or sent to PAI", async () => {
    const spec = resolveStackFile(path.resolve(__dirname, "../../stacks/Pulumi.dev.yaml"), "dev");
    const sizing = encodeJobSizing(spec.jobs[0]!.sizing);
    const plain = base("sized", { waitFor: "submitted" });
    const sized = { ...plain, sizing };
    assert.deepEqual((await provider.check!(sized, sized)).failures, []);
    assert.equal(jobDisplayName(sized), jobDisplayName(plain), "the run hash ignores sizing");
    const olds = { ...sized, jobId: "dlc-1", status: "Running" } as DlcJobOutputs;
    const resized = {
      ...sized,
      sizing: encodeJobSizing({ ...spec.jobs[0]!.sizing, headroom: 0.3, instanceCount: 2 }),
    };
    assert.deepEqual(await provider.diff!("dlc-1", olds, resized), {
      changes: false,
      replaces: [],
      deleteBeforeReplace: false,
    });
    // The emulator refuses unknown CreateJob fields, so this create proves sizing stays out of the request.
    const created = await createWithOutputs(provider, sized);
    assert.deepEqual(created.outs.sizing, sizing, "kept in state for policies and reports");
    await provider.delete!(created.id, created.outs);
  });
});
