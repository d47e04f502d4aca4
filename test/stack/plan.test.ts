/**
 * The real Pulumi program under the SDK mock runtime, for each environment: the resources it
 * registers and their key inputs (secure buckets, a scoped role, a quota, jobs, services).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { readStackFile, stackFilePath } from "../../infra/config/load";
import { runOfflinePlan, type RegisteredResource } from "../../infra/plan";
import { configForRuntime, runUnderMocks } from "../../infra/plan/mock-runtime";
import { runProgram } from "../../infra/program";
import { resolveStackFromRuntime } from "../../infra/resolve/stack";
import { decodeJobSizing, sizeJob } from "../../infra/sizing";

const T = {
  workspace: "alicloud:pai/workspaceWorkspace:WorkspaceWorkspace",
  bucket: "alicloud:oss/bucket:Bucket",
  acl: "alicloud:oss/bucketAcl:BucketAcl",
  block: "alicloud:oss/bucketPublicAccessBlock:BucketPublicAccessBlock",
  role: "alicloud:ram/role:Role",
  policy: "alicloud:ram/policy:Policy",
  attachment: "alicloud:ram/rolePolicyAttachment:RolePolicyAttachment",
  quota: "pulumi-nodejs:dynamic/pai:GpuQuota",
  job: "pulumi-nodejs:dynamic/pai:DlcJob",
  service: "alicloud:pai/service:Service",
  autoscaler: "pulumi-nodejs:dynamic/pai:EasAutoscaler",
  endpoints: "pulumi-nodejs:dynamic/pai:EasServiceEndpoints",
};

const ofType = (rs: RegisteredResource[], type: string) => rs.filter((r) => r.type === type);
/** Fine-tune DLC jobs (evaluation jobs are DlcJobs too, tagged pai-finetune-evaluation). */
const fineTuneJobs = (rs: RegisteredResource[]) =>
  ofType(rs, T.job).filter(
    (r) => !("pai-finetune-evaluation" in ((r.inputs.tags as object | undefined) ?? {})),
  );

async function planOf(stack: string) {
  return runOfflinePlan(stackFilePath(stack), stack);
}

/** Like runOfflinePlan, but also returns the program's stack outputs. */
async function runPlanWithOutputs(stack: string) {
  const file = stackFilePath(stack);
  const config = configForRuntime(readStackFile(file));
  const resolved = resolveStackFromRuntime(config, stack, file); // as runOfflinePlan does
  return runUnderMocks({ stack, region: resolved.region, config, program: () => runProgram({ resolved }) });
}

/** A stack output's value, nested Outputs resolved as the engine resolves them when it registers them. */
function outputValue(output: unknown): Promise<unknown> {
  return new Promise((resolve) => {
    if (output === undefined) resolve(undefined);
    else pulumi.output(output).apply((v) => resolve(v));
  });
}

for (const stack of ["dev", "staging", "prod"]) {
  describe(`stack ${stack} under the mock runtime`, () => {
    it("registers a workspace, three buckets, a role, a quota, jobs and services", async () => {
      const { resources, report } = await planOf(stack);
      assert.equal(ofType(resources, T.workspace).length, 1);
      assert.equal(ofType(resources, T.bucket).length, 3);
      assert.equal(ofType(resources, T.role).length, 1);
      assert.equal(ofType(resources, T.quota).length, 1);
      assert.ok(ofType(resources, T.job).length >= 1);
      assert.ok(ofType(resources, T.service).length >= 1);
      assert.equal(report.ok, true, report.errors.join("\n"));
    });

    it("each job carries its sizing inputs, from which its memory, fit and cost recompute exactly", async () => {
      const { resources, result } = await runPlanWithOutputs(stack);
      const jobs = fineTuneJobs(resources);
      assert.equal(jobs.length, result.resolved.jobs.length);
      for (const job of result.resolved.jobs) {
        const r = jobs.find(
          (x) => (x.inputs.tags as Record<string, string>)["pai-finetune-job"] === job.name,
        );
        assert.ok(r, job.name);
        // What a policy sees: the props after the SDK serialized them, not the resolved objects.
        const recomputed = sizeJob(decodeJobSizing(r.inputs.sizing as string));
        assert.equal(recomputed.memory.perGpuBytes, job.memory.perGpuBytes, job.name);
        assert.equal(recomputed.fits, job.fits, job.name);
        assert.equal(recomputed.cost.cost?.value, job.cost.cost?.value, job.name);
        assert.equal(recomputed.cost.hours.value, job.cost.hours.value, job.name);
      }
    });

    it("makes every bucket private, encrypted, versioned and blocked from public access", async () => {
      const { resources } = await planOf(stack);
      for (const b of ofType(resources, T.bucket)) {
        const name = b.inputs.bucket as string;
        assert.deepEqual(b.inputs.versioning, { status: "Enabled" }, name);
        assert.match(
          (b.inputs.serverSideEncryptionRule as { sseAlgorithm: string }).sseAlgorithm,
          /^(AES256|KMS)$/,
          name,
        );
        assert.equal(b.inputs.forceDestroy, false, name);
        assert.ok(
          ofType(resources, T.acl).some((a) => a.inputs.bucket === name && a.inputs.acl === "private"),
          `${name} has no private ACL`,
        );
        assert.ok(
          ofType(resources, T.block).some(
            (a) => a.inputs.bucket === name && a.inputs.blockPublicAccess === true,
          ),
          `${name} is not blocked`,
        );
      }
      const checkpoints = ofType(resources, T.bucket).find((b) =>
        String(b.inputs.bucket).endsWith("-checkpoints"),
      )!;
      const rules = checkpoints.inputs.lifecycleRules as { id: string; expirations?: { days: number }[] }[];
      assert.ok(rules.some((r) => r.id === "expire-old-checkpoints" && (r.expirations?.[0]?.days ?? 0) > 0));
    });

    it("scopes the job role's policy to this stack's buckets only, and never lets it delete models", async () => {
      const { resources } = await planOf(stack);
      const buckets = ofType(resources, T.bucket).map((b) => String(b.inputs.bucket));
      const doc = JSON.parse(String(ofType(resources, T.policy)[0]!.inputs.policyDocument)) as {
        Statement: { Action: string[]; Resource: string[] }[];
      };
      // The buckets' pinned KMS key (prod), if any: the one key the role may use.
      const kmsKeys = new Set(
        ofType(resources, T.bucket).map(
          (b) => (b.inputs.serverSideEncryptionRule as { kmsMasterKeyId?: string }).kmsMasterKeyId,
        ),
      );
      for (const s of doc.Statement) {
        for (const arn of s.Resource) {
          const key = /^acs:kms:\*:\*:key\/(.+)$/.exec(arn)?.[1];
          if (key !== undefined) {
            assert.ok(kmsKeys.has(key), `policy names KMS key ${key}, which no bucket uses`);
            assert.ok(s.Action.every((a) => a.startsWith("kms:")));
            continue;
          }
          const bucket = /^acs:oss:\*:\*:([^/]+)(\/\*)?$/.exec(arn)?.[1];
          assert.ok(
            bucket && buckets.includes(bucket),
            `policy names ${arn}, which is not one of ${buckets.join(", ")}`,
          );
        }
        if (s.Resource.some((r) => r.includes("-models"))) assert.ok(!s.Action.includes("oss:DeleteObject"));
      }
      const role = ofType(resources, T.role)[0]!;
      const trust = JSON.parse(String(role.inputs.assumeRolePolicyDocument)) as {
        Statement: { Principal: { Service: string[] } }[];
      };
      assert.deepEqual(trust.Statement[0]!.Principal.Service, ["pai.aliyuncs.com"]);
      // Every job runs as this role (CreateJob CredentialConfig), not the workspace's default role.
      const roleArn = `acs:ram::<account-id>:role/${String(role.inputs.roleName)}`; // mock-runtime.ts
      for (const j of ofType(resources, T.job)) assert.equal(j.inputs.roleArn, roleArn, j.name);
      assert.equal(ofType(resources, T.attachment)[0]!.inputs.roleName, role.inputs.roleName);
    });

    it("reads every service's endpoints with an EasServiceEndpoints resource and exports them", async () => {
      const { resources, result } = await runPlanWithOutputs(stack);
      const services = ofType(resources, T.service);
      const endpoints = ofType(resources, T.endpoints);
      assert.equal(endpoints.length, services.length);
      for (const s of services) {
        // A service's id is its EAS name, as the real provider returns it (mock-runtime.ts).
        assert.equal(s.id, JSON.parse(String(s.inputs.serviceConfig)).metadata.name);
        const e = endpoints.filter((x) => x.inputs.serviceName === s.id);
        assert.equal(e.length, 1, `service ${s.name} has exactly one endpoints resource`);
        assert.equal(e[0]!.name, `${s.name}-endpoints`);
        assert.match(String(e[0]!.inputs.region), /^[a-z]+-[a-z0-9-]+$/);
      }
      const exported = await outputValue(result.outputs.services);
      const entries = Object.values(exported as Record<string, Record<string, unknown>>);
      assert.equal(entries.length, services.length);
      for (const svc of entries) {
        assert.match(String(svc.internetEndpoint), /pai-eas\.aliyuncs\.com/);
        assert.match(String(svc.intranetEndpoint), /pai-eas\.aliyuncs\.com/);
        assert.ok(!("accessToken" in svc));
      }
    });

    it("gives each job a placement, its data mounts and an output path in the models bucket", async () => {
      const { resources } = await planOf(stack);
      const models = ofType(resources, T.bucket)
        .map((b) => String(b.inputs.bucket))
        .find((b) => b.endsWith("-models"))!;
      for (const j of fineTuneJobs(resources)) {
        const hasEcs = typeof j.inputs.ecsSpec === "string";
        const hasQuota =
          typeof j.inputs.resourceId === "string" && typeof j.inputs.resourceConfig === "object";
        assert.ok(hasEcs !== hasQuota, "a job runs either pay-as-you-go or on the quota");
        assert.match(String(j.inputs.outputUri), new RegExp(`^oss://${models}\\.`));
        const mounts = (j.inputs.dataSources as { mountPath: string }[]).map((d) => d.mountPath).sort();
        assert.deepEqual(mounts, ["/mnt/base-model", "/mnt/checkpoints", "/mnt/data", "/mnt/output"]);
        assert.match(String(j.inputs.userCommand), /llamafactory-cli train/);
      }
    });
  });
}

describe("environment-specific shape", () => {
  it("dev trains QLoRA on one A10 and serves one replica without an autoscaler", async () => {
    const { resources, report } = await planOf("dev");
    const job = ofType(resources, T.job)[0]!;
    assert.equal(job.inputs.ecsSpec, "ecs.gn7i-c8g1.2xlarge");
    assert.match(String(job.inputs.userCommand), /--quantization_bit 4/);
    assert.equal(report.jobs[0]!.method, "qlora");
    assert.equal(ofType(resources, T.autoscaler).length, 0);
    const cfg = JSON.parse(String(ofType(resources, T.service)[0]!.inputs.serviceConfig)) as {
      metadata: { instance: number };
    };
    assert.equal(cfg.metadata.instance, 1);
  });

  it("prod serves at least two replicas and autoscales", async () => {
    const { resources } = await planOf("prod");
    for (const s of ofType(resources, T.service)) {
      const cfg = JSON.parse(String(s.inputs.serviceConfig)) as { metadata: { instance: number } };
      assert.ok(cfg.metadata.instance >= 2, `prod service starts with ${cfg.metadata.instance} replica(s)`);
    }
    const scalers = ofType(resources, T.autoscaler);
    assert.ok(scalers.length >= 1);
    for (const a of scalers) {
      assert.ok(Number(a.inputs.min) >= 2);
      assert.ok(Number(a.inputs.max) > Number(a.inputs.min));
    }
  });

  it("prod's full fine-tune uses eight GPUs of the quota with ZeRO-3", async () => {
    const { resources, report } = await planOf("prod");
    const job = ofType(resources, T.job)[0]!;
    assert.deepEqual((job.inputs.resourceConfig as { gpu: string }).gpu, "8");
    assert.match(String(job.inputs.userCommand), /"stage":3/);
    assert.ok(report.jobs[0]!.fits);
  });
});
