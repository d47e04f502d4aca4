/**
 * Issue 8 through the offline plan (the real program under the SDK's mock runtime): what the engine
 * would receive for the EAS service, the ids the autoscaler and endpoints reader get, the plan's
 * complete JSON inputs, prod's KMS key and role, and commands that the chosen GPU can run.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../../infra/config/errors";
import { stackFilePath } from "../../infra/config/load";
import { runOfflinePlan, type RegisteredResource } from "../../infra/plan";
import { maskSecrets, SECRET_MASK } from "../../infra/plan/mock-runtime";
import { mutatedStack, scratchDir } from "../helpers/stack-files";

const T = {
  service: "alicloud:pai/service:Service",
  autoscaler: "pulumi-nodejs:dynamic/pai:EasAutoscaler",
  endpoints: "pulumi-nodejs:dynamic/pai:EasServiceEndpoints",
  policy: "alicloud:ram/policy:Policy",
  bucket: "alicloud:oss/bucket:Bucket",
  job: "pulumi-nodejs:dynamic/pai:DlcJob",
};
const scratch = scratchDir();
after(() => scratch.cleanup());

const one = (rs: RegisteredResource[], type: string) => {
  const found = rs.filter((r) => r.type === type);
  assert.equal(found.length, 1, type);
  return found[0]!;
};
/** Without the evaluation job (a DlcJob too, tagged pai-finetune-evaluation). */
const fineTuneOnly = (rs: RegisteredResource[]) =>
  rs.filter((r) => !("pai-finetune-evaluation" in ((r.inputs.tags as object | undefined) ?? {})));
const serviceConfigOf = (rs: RegisteredResource[]) =>
  JSON.parse(String(one(rs, T.service).inputs.serviceConfig)) as Record<string, any>;

async function planMutated(base: string, name: string, mutate: (c: Record<string, any>) => void) {
  const file = scratch.write(`Pulumi.${name}.yaml`, mutatedStack(base, mutate));
  return runOfflinePlan(file, name);
}

describe("EAS service: internet endpoint and token authentication", () => {
  it("publicEndpoint false (the default) and true give different service inputs", async () => {
    const off = await planMutated("dev", "pub-off", () => {});
    const on = await planMutated("dev", "pub-on", (c) => {
      c["pai-finetune:services"][0].publicEndpoint = true;
    });
    const [cfgOff, cfgOn] = [serviceConfigOf(off.resources), serviceConfigOf(on.resources)];
    assert.notDeepEqual(cfgOff, cfgOn);
    assert.deepEqual(cfgOff.networking, { disable_internet_endpoint: true });
    assert.deepEqual(cfgOn.networking, { disable_internet_endpoint: false });
    // Token authentication is stated, and no token value is written into the config (or state).
    assert.deepEqual(cfgOff.credential, { generate_token: true });
    assert.equal(cfgOff.token, undefined);
  });
});

describe("mock ids are what the real providers return", () => {
  it("prod's autoscaler and endpoints reader name the EAS service tvfunc_chat_prod", async () => {
    const { resources } = await runOfflinePlan(stackFilePath("prod"), "prod");
    assert.equal(one(resources, T.service).id, "tvfunc_chat_prod");
    assert.equal(one(resources, T.autoscaler).inputs.serviceName, "tvfunc_chat_prod");
    assert.equal(one(resources, T.endpoints).inputs.serviceName, "tvfunc_chat_prod");
    assert.equal(one(resources, T.autoscaler).id, "cn-wulanchabu/tvfunc_chat_prod");
    assert.equal(one(resources, T.policy).id, one(resources, T.policy).inputs.policyName);
  });
});

describe("plan --json: complete inputs", () => {
  it("every resource carries every input the engine received; providers as size and hash", async () => {
    const { report, resources } = await runOfflinePlan(stackFilePath("staging"), "staging");
    resources.forEach((r, i) => {
      const shown = report.resources[i]!;
      assert.equal(shown.name, r.name);
      for (const key of Object.keys(r.inputs)) assert.ok(key in shown.inputs, `${r.name}: ${key}`);
    });
    const job = report.resources.find((r) => r.type === T.job)!;
    assert.equal(typeof job.inputs.userCommand, "string", "not only the key inputs");
    assert.equal(typeof job.inputs.sizing, "string");
    const provider = job.inputs.__provider as { bytes: number; sha256: string };
    assert.ok(provider.bytes > 1000);
    assert.match(provider.sha256, /^[0-9a-f]{64}$/);
    assert.ok(!JSON.stringify(report).includes("exports.handler"), "no serialized code in the report");
  });

  it("a secret input is masked", () => {
    const secret = { [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig, value: "s3cr3t" };
    const masked = maskSecrets({ a: 1, nested: [{ token: secret }] });
    assert.deepEqual(masked, { a: 1, nested: [{ token: SECRET_MASK }] });
    assert.ok(!JSON.stringify(masked).includes("s3cr3t"));
  });
});

describe("prod KMS", () => {
  it("prod pins a customer key on every bucket, and the job role may use that key and no other", async () => {
    const { resources } = await runOfflinePlan(stackFilePath("prod"), "prod");
    const buckets = resources.filter((r) => r.type === T.bucket);
    const keys = new Set(buckets.map((b) => (b.inputs.serverSideEncryptionRule as any).kmsMasterKeyId));
    assert.equal(keys.size, 1);
    const [key] = [...keys] as string[];
    assert.match(key!, /^key-/);
    const doc = JSON.parse(String(one(resources, T.policy).inputs.policyDocument)) as {
      Statement: { Action: string[]; Resource: string[] }[];
    };
    const kms = doc.Statement.filter((s) => s.Action.some((a) => a.startsWith("kms:")));
    assert.equal(kms.length, 1);
    assert.deepEqual(kms[0]!.Resource, [`acs:kms:*:*:key/${key}`]);
    assert.ok(kms[0]!.Action.includes("kms:GenerateDataKey") && kms[0]!.Action.includes("kms:Decrypt"));
  });

  it("without a pinned key (dev) the role gets no KMS permission", async () => {
    const { resources } = await runOfflinePlan(stackFilePath("dev"), "dev");
    assert.doesNotMatch(String(one(resources, T.policy).inputs.policyDocument), /kms:/);
  });

  it("a kmsKeyId that is no key id or ARN is refused at its key path", async () => {
    await assert.rejects(
      planMutated("prod", "badkey", (c) => {
        c["pai-finetune:storage"].kmsKeyId = "my key";
      }),
      (err: unknown) => err instanceof ConfigError && /storage › kmsKeyId/.test(err.message),
    );
  });
});

describe("commands the GPU can run", () => {
  const V100 = "ecs.gn6e-c12g1.3xlarge";

  it("a job on a V100 trains in fp16 with SDPA attention, and the estimate includes SDPA's mask", async () => {
    const onA10 = await planMutated("dev", "a10-job", () => {});
    const onV100 = await planMutated("dev", "v100-job", (c) => {
      c["pai-finetune:jobs"][0].resources.instanceType = V100;
    });
    const command = String(one(fineTuneOnly(onV100.resources), T.job).inputs.userCommand);
    assert.match(command, /--fp16 true/);
    assert.match(command, /--flash_attn sdpa/);
    assert.doesNotMatch(command, /bf16 true|--flash_attn fa2/);
    assert.match(String(one(fineTuneOnly(onA10.resources), T.job).inputs.userCommand), /--flash_attn fa2/);
    const act = (p: typeof onA10) => p.report.jobs[0]!.breakdown.find((b) => b.name === "activations")!;
    assert.match(act(onV100).note, /SDPA attention mask/);
    assert.ok(act(onV100).GiB > act(onA10).GiB, "SDPA's mask is sized");
  });

  it("a service on a V100 asks vLLM for float16", async () => {
    const { resources } = await planMutated("dev", "v100-svc", (c) => {
      c["pai-finetune:services"][0].instanceType = V100;
    });
    const script = String(serviceConfigOf(resources).containers[0].script);
    assert.match(script, /--dtype float16/);
    assert.doesNotMatch(script, /bfloat16/);
  });

  it("a pinned bf16 precision on a V100 is refused at its key path, for a job and for a service", async () => {
    await assert.rejects(
      planMutated("dev", "v100-bf16-job", (c) => {
        c["pai-finetune:jobs"][0].resources.instanceType = V100;
        c["pai-finetune:jobs"][0].training = {
          ...c["pai-finetune:jobs"][0].training,
          precision: "bf16-mixed",
        };
      }),
      (err: unknown) =>
        err instanceof ConfigError && /jobs › \[0\] › training › precision: .*no bf16/.test(err.message),
    );
    await assert.rejects(
      planMutated("dev", "v100-bf16-svc", (c) => {
        c["pai-finetune:services"][0].instanceType = V100;
        c["pai-finetune:services"][0].precision = "bf16";
      }),
      (err: unknown) =>
        err instanceof ConfigError && /services › \[0\] › precision: .*no bf16/.test(err.message),
    );
  });

  it("with bf16 pinned, the right-sizer never picks a GPU without bf16", async () => {
    // The dev service right-sized (no instanceType) for 4 sequences: the V100 32 GB is cheapest.
    const rightSized = (c: Record<string, any>) => {
      delete c["pai-finetune:services"][0].instanceType;
      c["pai-finetune:services"][0].concurrency = 4;
    };
    const unpinned = await planMutated("dev", "svc-default", rightSized);
    assert.match(unpinned.report.services[0]!.instance, /gn6e/, "the default right-sizes onto a V100 (fp16)");
    const pinned = await planMutated("dev", "svc-pinned", (c) => {
      rightSized(c);
      c["pai-finetune:services"][0].precision = "bf16";
    });
    assert.doesNotMatch(pinned.report.services[0]!.instance, /gn6e|gn6v|gn6i/);
    assert.match(String(serviceConfigOf(pinned.resources).containers[0].script), /--dtype bfloat16/);
  });
});
