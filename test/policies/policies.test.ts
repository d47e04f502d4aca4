/**
 * Every policy of the pack, one resource that passes and one that fails, through the pack's own
 * `validateStack` with arguments shaped as the engine passes them (policyResources: props behind
 * the unknown-checking proxy, cloud-computed values unknown). Each failing message is checked for
 * what a reviewer needs: what was found, against what limit, what to do.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import type { PolicyResource } from "@pulumi/policy";
import { stackFilePath } from "../../infra/config/load";
import { loadCatalog } from "../../infra/catalog";
import { runOfflinePlan, type RegisteredResource } from "../../infra/plan";
import { policyResources } from "../../infra/plan/policy";
import {
  decodeJobSizing,
  decodeServiceSizing,
  encodeJobSizing,
  encodeServiceSizing,
  type JobSizingInputs,
  type ServiceSizingInputs,
} from "../../infra/sizing";
import { POLICIES } from "../../policies/all";
import { withDefaults, type PaiPolicy } from "../../policies/lib/define";
import { templateOf } from "../../policies/chat-template-match";

const JOB = "pulumi-nodejs:dynamic/pai:DlcJob";
const SVC = "pulumi-nodejs:dynamic/pai:EasServiceEndpoints";
const catalog = loadCatalog();
let dev: RegisteredResource[];
let prod: RegisteredResource[];

before(async () => {
  dev = (await runOfflinePlan(stackFilePath("dev"), "dev")).resources;
  prod = (await runOfflinePlan(stackFilePath("prod"), "prod")).resources;
});

const policy = (id: string) => POLICIES.find((p) => p.name === id) as unknown as PaiPolicy;

/** Runs one policy as the engine would, with `config` over the schema defaults (dev). */
function verdicts(id: string, registered: RegisteredResource[], config: object = {}) {
  const out: { message: string; urn?: string }[] = [];
  const p = policy(id);
  void p.validateStack(
    {
      resources: policyResources("test", registered),
      stackTags: new Map(),
      getConfig: <T extends object>() => ({ ...config }) as T,
      notApplicable: () => {
        throw new Error("not applicable");
      },
    },
    (message, urn) => out.push({ message, ...(urn ? { urn } : {}) }),
  );
  return out;
}

function edit(
  resources: RegisteredResource[],
  type: string,
  change: (inputs: Record<string, unknown>) => Record<string, unknown>,
): RegisteredResource[] {
  return resources.map((r) => (r.type === type ? { ...r, inputs: change({ ...r.inputs }) } : r));
}
const editJobSizing = (resources: RegisteredResource[], change: (s: JobSizingInputs) => JobSizingInputs) =>
  // Evaluation jobs carry no training sizing: only fine-tune jobs are edited.
  edit(resources, JOB, (i) =>
    i.sizing === undefined
      ? i
      : { ...i, sizing: encodeJobSizing(change(decodeJobSizing(i.sizing as string))) },
  );
const editServiceSizing = (
  resources: RegisteredResource[],
  change: (s: ServiceSizingInputs) => ServiceSizingInputs,
) =>
  edit(resources, SVC, (i) => ({
    ...i,
    sizing: encodeServiceSizing(change(decodeServiceSizing(i.sizing as string))),
  }));
const eightA100 = () => catalog.instance("ecs.gn7e-c16g1.32xlarge");

describe("the pack", () => {
  it("has the policy ids of the issue, each with a config schema and a level", () => {
    assert.deepEqual(
      POLICIES.map((p) => p.name),
      [
        "gpu-memory-fit",
        "gpu-memory-cap",
        "gpu-overprovisioning",
        "job-cost-cap",
        "service-cost-cap",
        "stack-budget",
        "cost-unknown",
        "quota-gpu-hours-cap",
        "max-run-time",
        "quota-fit",
        "bucket-security",
        "job-role-least-privilege",
        "service-access",
        "no-plaintext-secrets",
        "prod-availability",
        "dataset-min-examples",
        "chat-template-match",
      ],
    );
    for (const p of POLICIES) {
      assert.ok(p.configSchema, p.name);
      assert.ok(["advisory", "mandatory", "disabled"].includes(p.enforcementLevel), p.name);
    }
  });

  it("reports nothing on the committed dev and prod stacks with their defaults (dev) and prod settings", () => {
    for (const p of POLICIES) assert.deepEqual(verdicts(p.name, dev), [], p.name);
  });

  it("merges config over the schema defaults, one level deep for per-method caps", () => {
    const c = withDefaults<{ capGiB: Record<string, number> }>(policy("gpu-memory-cap").configSchema, {
      capGiB: { full: 1000 },
    });
    assert.deepEqual(c.capGiB, { qlora: 48, lora: 96, freeze: 96, full: 1000 });
  });
});

describe("gpu-memory-fit", () => {
  it("fails a full fine-tune of a 7B on one 24 GB GPU, with need vs usable and the cheapest fit", () => {
    const bad = editJobSizing(dev, (s) => ({
      ...s,
      training: { ...s.training, method: "full", quant: undefined },
    }));
    const [v, ...rest] = verdicts("gpu-memory-fit", bad);
    assert.equal(rest.length, 0);
    assert.match(v!.message, /job tvfunc-qlora needs [\d.]+ GiB per GPU \(full, qwen1\.5-7b-chat/);
    assert.match(v!.message, /offers 21\.6 GiB usable per GPU \(A10 24 GiB less 10 % headroom\)/);
    // Without ZeRO nothing in the catalog holds a full 7B fine-tune per GPU; the message says so.
    assert.match(v!.message, /no catalog placement fits/);
    assert.match(v!.urn!, /DlcJob::platform-job-tvfunc-qlora$/);
  });

  it("names the cheapest catalog placement that fits when one does", () => {
    const bad = editJobSizing(dev, (s) => ({
      ...s,
      training: { ...s.training, method: "lora", quant: undefined, seqLen: 4096, microBatchSize: 4 },
    }));
    assert.match(
      verdicts("gpu-memory-fit", bad)[0]!.message,
      /cheapest catalog placement that fits: 1 × \S+ \(\d+ × \S+ \d+ GiB, [\d.,]+ (CNY|USD)\/h\)/,
    );
  });

  it("fails a service whose KV cache does not fit; waits (no verdict) when sizing is unknown", () => {
    const bad = editServiceSizing(dev, (s) => ({ ...s, inference: { ...s.inference, concurrency: 64 } }));
    assert.match(
      verdicts("gpu-memory-fit", bad)[0]!.message,
      /service tvfunc_chat_dev needs .* 64 × 2048 tokens/,
    );
    const unknown = edit(dev, JOB, (i) => ({ ...i, sizing: "<placeholder>" }));
    assert.deepEqual(verdicts("gpu-memory-fit", unknown), []);
  });
});

describe("gpu-memory-cap", () => {
  it("fails a dev QLoRA job on eight 80 GB GPUs (640 GiB against 48)", () => {
    const bad = editJobSizing(
      edit(dev, JOB, (i) => ({ ...i, ecsSpec: "ecs.gn7e-c16g1.32xlarge" })),
      (s) => ({ ...s, instance: eightA100(), training: { ...s.training, gpusPerNode: 8 } }),
    );
    const [v] = verdicts("gpu-memory-cap", bad);
    assert.match(
      v!.message,
      /reserves 640 GiB of GPU memory \(8 × A100-80G 80 GiB on ecs\.gn7e-c16g1\.32xlarge\); the cap for qlora here is 48 GiB/,
    );
    assert.deepEqual(verdicts("gpu-memory-cap", bad, { capGiB: { qlora: 640 } }), []);
  });

  it("fails closed, naming the value, when the sizing is unknown at preview", () => {
    const unknown = edit(dev, JOB, (i) => ({ ...i, sizing: "<placeholder>" }));
    assert.match(
      verdicts("gpu-memory-cap", unknown)[0]!.message,
      /\.sizing is unknown at preview.*fails closed/,
    );
    const garbled = edit(dev, JOB, (i) => ({ ...i, sizing: '{"model": 1' }));
    assert.match(
      verdicts("gpu-memory-cap", garbled)[0]!.message,
      /\.sizing, which cannot be read \(sizing: not JSON/,
    );
  });
});

describe("gpu-overprovisioning", () => {
  it("names the right size and the money saved", () => {
    const bad = editJobSizing(
      edit(dev, JOB, (i) => ({ ...i, ecsSpec: "ecs.gn7e-c16g1.32xlarge" })),
      (s) => ({
        ...s,
        instance: {
          ...eightA100(),
          price: { ...catalog.instance("ecs.gn7e-c16g1.4xlarge").price!, amount: 270 },
        },
      }),
    );
    const [v] = verdicts("gpu-overprovisioning", bad);
    assert.match(
      v!.message,
      /reserves 640 GiB of GPU memory but needs about [\d.]+ GiB .*right size: 1 × \S+ .*saving about [\d,.]+ CNY on this run/,
    );
  });
});

describe("job-cost-cap", () => {
  it("fails a job far over the cap, passes under it", () => {
    // Ulanqab's list price for the A10 (8.58 CNY/h) and the measured dev data: about 2,000+ CNY.
    const bad = editJobSizing(dev, (s) => ({ ...s, workload: { ...s.workload, examples: 1_000_000 } }));
    const bad2 = edit(bad, JOB, (i) => ({ ...i, maxRunningTimeMinutes: 1000 * 60 }));
    const [v] = verdicts("job-cost-cap", bad2);
    assert.match(
      v!.message,
      /job tvfunc-qlora would cost about [\d,.]+ CNY \([\d.]+ h on 1 × ecs\.gn7i-c8g1\.2xlarge, official-list price\), over the 1,000 CNY cap per job/,
    );
    assert.deepEqual(verdicts("job-cost-cap", dev), []);
  });

  it("never counts past the job's limit: a 12 h limit bills at most 12 h", () => {
    const long = editJobSizing(dev, (s) => ({ ...s, workload: { ...s.workload, examples: 1_000_000 } }));
    // 12 h × 15 CNY = 180 CNY ≤ 1,000: the cost cap passes (max-run-time refuses it instead).
    assert.deepEqual(verdicts("job-cost-cap", long), []);
    assert.match(verdicts("max-run-time", long)[0]!.message, /stopped unfinished/);
  });
});

describe("service-cost-cap and stack-budget", () => {
  it("fail ten dev replicas a month; the budget names what it adds up", () => {
    const bad = editServiceSizing(dev, (s) => ({ ...s, replicas: { min: 1, max: 10 } }));
    assert.match(
      verdicts("service-cost-cap", bad)[0]!.message,
      /would cost about 47,450 CNY a month at its 10 max replica\(s\) on ml\.gu7i\.c8m30\.1-gu30 \(user price\), over the 5,000 CNY monthly cap/,
    );
    assert.match(
      verdicts("stack-budget", bad)[0]!.message,
      /the stack would cost about [\d,.]+ CNY a month \(service tvfunc_chat_dev 47,450 CNY \+ job tvfunc-qlora [\d.]+ CNY\), over the 10,000 CNY monthly budget/,
    );
  });
});

describe("cost-unknown", () => {
  it("reports a placement with no price; quota jobs are left to the GPU-hours cap", () => {
    const bad = editJobSizing(dev, (s) => ({ ...s, instance: { ...s.instance, price: undefined } }));
    assert.match(
      verdicts("cost-unknown", bad)[0]!.message,
      /job tvfunc-qlora runs on ecs\.gn7i-c8g1\.2xlarge, which has no price in the catalog, so no cost cap can hold it/,
    );
    assert.deepEqual(
      verdicts(
        "cost-unknown",
        prod.filter((r) => r.type !== SVC),
      ),
      [],
    );
  });
});

describe("quota-gpu-hours-cap", () => {
  it("caps an unpriced quota job in GPU-hours", () => {
    const bad = editJobSizing(prod, (s) => ({ ...s, workload: { ...s.workload, examples: 2_000_000 } }));
    const [v] = verdicts("quota-gpu-hours-cap", bad, { maxGpuHours: 100 });
    assert.match(
      v!.message,
      /job tvfunc-full would take about [\d.]+ GPU-hours of the quota \(8 GPUs × [\d.]+ h\), over the 100 GPU-hour cap per job/,
    );
    assert.deepEqual(verdicts("quota-gpu-hours-cap", prod), []);
  });
});

describe("max-run-time", () => {
  it("refuses a job that cannot finish within its limit, and a limit above the environment's", () => {
    // The dev job is sized from its measured data (2,400 examples × ≈ 146 tokens): ≈ 0.3 h.
    const short = edit(dev, JOB, (i) => ({ ...i, maxRunningTimeMinutes: 12 }));
    assert.match(
      verdicts("max-run-time", short)[0]!.message,
      /estimated at 0\.3 h but its limit is 0\.2 h: it would be stopped unfinished and the money spent lost/,
    );
    const long = edit(dev, JOB, (i) => ({ ...i, maxRunningTimeMinutes: 48 * 60 }));
    assert.match(
      verdicts("max-run-time", long)[0]!.message,
      /may run 48 h \(maxRunningHours\), above this environment's 24 h maximum/,
    );
    const none = edit(dev, JOB, (i) => ({ ...i, maxRunningTimeMinutes: undefined }));
    assert.match(verdicts("max-run-time", none)[0]!.message, /has no run-time limit/);
  });
});

describe("quota-fit", () => {
  it("refuses quota jobs that need more GPUs than the quota, or another GPU type", () => {
    const big = editJobSizing(prod, (s) => ({ ...s, training: { ...s.training, nodes: 3 } }));
    assert.match(
      verdicts("quota-fit", big).at(-1)!.message,
      /the quota jobs need 24 GPUs at once \(job tvfunc-full 3×8\) but the quota has 16/,
    );
    const wrong = editJobSizing(prod, (s) => ({ ...s, instance: eightA100() }));
    assert.match(
      verdicts("quota-fit", wrong)[0]!.message,
      /sized for ecs\.gn7e-c16g1\.32xlarge \(A100-80G\) but the quota's nodes are ml\.gu7xf\.8xlarge-gu108: wrong GPU type/,
    );
    assert.deepEqual(verdicts("quota-fit", prod), []);
  });
});

describe("bucket-security", () => {
  it("refuses an unversioned, public or unencrypted bucket, and AES256 where KMS is required", () => {
    const bad = edit(
      edit(dev, "alicloud:oss/bucket:Bucket", (i) => ({ ...i, versioning: { status: "Suspended" } })),
      "alicloud:oss/bucketAcl:BucketAcl",
      (i) => ({ ...i, acl: "public-read" }),
    );
    const messages = verdicts("bucket-security", bad).map((v) => v.message);
    assert.ok(messages.some((m) => /bucket tvmaker-tvfunc-dev-models is not versioned/.test(m)));
    assert.ok(
      messages.some((m) => /bucket tvmaker-tvfunc-dev-models is not private \(ACL public-read\)/.test(m)),
    );
    assert.match(
      verdicts("bucket-security", dev, { requireKms: true })[0]!.message,
      /uses AES256; this environment requires KMS/,
    );
    assert.deepEqual(verdicts("bucket-security", prod, { requireKms: true }), []);
  });
});

describe("job-role-least-privilege", () => {
  it("refuses wildcards, resources outside the stack's buckets and deletes on models", () => {
    const doc = JSON.stringify({
      Version: "1",
      Statement: [
        { Effect: "Allow", Action: ["oss:*"], Resource: ["acs:oss:*:*:someone-elses-bucket/*"] },
        {
          Effect: "Allow",
          Action: ["oss:DeleteObject"],
          Resource: ["acs:oss:*:*:tvmaker-tvfunc-dev-models/*"],
        },
      ],
    });
    const bad = edit(dev, "alicloud:ram/policy:Policy", (i) => ({ ...i, policyDocument: doc }));
    const m = verdicts("job-role-least-privilege", bad).map((v) => v.message);
    assert.ok(
      m.some((x) => /grants wildcard action\(s\) oss:\*/.test(x)),
      m.join("\n"),
    );
    assert.ok(
      m.some((x) => /reaches acs:oss:\*:\*:someone-elses-bucket\/\*, outside the stack's buckets/.test(x)),
    );
    assert.ok(m.some((x) => /allows oss:DeleteObject on tvmaker-tvfunc-dev-models \(models\)/.test(x)));
  });

  it("allows the KMS key the stack's buckets encrypt with, and no other", () => {
    assert.deepEqual(verdicts("job-role-least-privilege", prod), []);
    const doc = JSON.stringify({
      Version: "1",
      Statement: [
        { Effect: "Allow", Action: ["kms:Decrypt"], Resource: ["acs:kms:*:*:key/key-someone-else"] },
      ],
    });
    const other = edit(prod, "alicloud:ram/policy:Policy", (i) => ({ ...i, policyDocument: doc }));
    assert.match(
      verdicts("job-role-least-privilege", other)[0]!.message,
      /reaches acs:kms:\*:\*:key\/key-someone-else, outside the stack's buckets/,
    );
  });
});

describe("service-access", () => {
  it("refuses a public endpoint where not allowed, and a service without token authentication", () => {
    const pub = edit(dev, SVC, (i) => ({ ...i, exposure: { publicEndpoint: true, tokenAuth: true } }));
    assert.deepEqual(verdicts("service-access", pub), []);
    assert.match(
      verdicts("service-access", pub, { allowPublicEndpoint: false })[0]!.message,
      /has a public endpoint, which this environment does not allow/,
    );
    const open = edit(dev, SVC, (i) => ({ ...i, exposure: { publicEndpoint: false, tokenAuth: false } }));
    assert.match(
      verdicts("service-access", open)[0]!.message,
      /accepts requests without token authentication/,
    );
  });
});

describe("no-plaintext-secrets", () => {
  it("finds an access key or a token in an overridden command", () => {
    const bad = edit(dev, JOB, (i) => ({
      ...i,
      userCommand: `HF_TOKEN=hf_${"a1".repeat(18)} llamafactory-cli train --template qwen`,
    }));
    assert.match(
      verdicts("no-plaintext-secrets", bad)[0]!.message,
      /input userCommand holds a Hugging Face token in plain text/,
    );
    const key = edit(dev, JOB, (i) => ({
      ...i,
      envs: { ...(i.envs as object), KEY: "LTAI5tAbCdEfGhIjKlMnOpQr" },
    }));
    assert.match(
      verdicts("no-plaintext-secrets", key)[0]!.message,
      /input envs\.KEY holds an Alibaba Cloud AccessKey ID/,
    );
    const ref = edit(dev, JOB, (i) => ({ ...i, userCommand: "export HF_TOKEN=$HF_TOKEN_FROM_KMS; run" }));
    assert.deepEqual(verdicts("no-plaintext-secrets", ref), []);
  });
});

describe("prod-availability", () => {
  it("refuses a one-replica service where two are required", () => {
    assert.match(
      verdicts("prod-availability", dev, { minReplicas: 2 })[0]!.message,
      /service tvfunc_chat_dev keeps 1 replica\(s\); this environment requires at least 2/,
    );
    assert.deepEqual(verdicts("prod-availability", prod, { minReplicas: 2 }), []);
  });
});

describe("dataset-min-examples", () => {
  it("refuses 40 examples for a chat model and 500 for a base model", () => {
    const small = editJobSizing(dev, (s) => ({ ...s, workload: { ...s.workload, examples: 40 } }));
    assert.match(
      verdicts("dataset-min-examples", small)[0]!.message,
      /trains qwen1\.5-7b-chat \(a chat model\) on 40 examples; at least 200/,
    );
    const base = editJobSizing(dev, (s) => ({
      ...s,
      model: catalog.model("qwen1.5-7b"),
      workload: { ...s.workload, examples: 500 },
    }));
    assert.match(
      verdicts("dataset-min-examples", base)[0]!.message,
      /\(a base model\) on 500 examples; at least 1000/,
    );
  });
});

describe("chat-template-match", () => {
  it("reads the template from the command, generated or overridden, and compares it with the family's", () => {
    assert.equal(templateOf("llamafactory-cli train --template qwen --template=llama3"), "llama3");
    const bad = edit(dev, JOB, (i) => ({
      ...i,
      userCommand: "llamafactory-cli train --stage sft --template llama3",
    }));
    assert.match(
      verdicts("chat-template-match", bad)[0]!.message,
      /trains qwen1\.5-7b-chat \(family qwen1\.5\) with --template llama3, but its family's template is qwen/,
    );
    const none = edit(dev, JOB, (i) => ({ ...i, userCommand: "llamafactory-cli train --stage sft" }));
    assert.match(verdicts("chat-template-match", none)[0]!.message, /without --template/);
    const base = editJobSizing(
      edit(dev, JOB, (i) => ({ ...i, userCommand: "llamafactory-cli train --template qwen" })),
      (s) => ({ ...s, model: catalog.model("qwen1.5-7b") }),
    );
    assert.deepEqual(verdicts("chat-template-match", base), []);
  });
});

// PolicyResource is the engine's shape; this keeps the import honest for readers of the test.
export type { PolicyResource };
