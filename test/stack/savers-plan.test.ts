// Memory savers and spot through the whole stack: config errors, the right-sizer's choice in the offline plan,
// the advisory for pinned jobs, the generated command and the SpotSpec the DlcJob carries.
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { ConfigError } from "../../infra/config/errors";
import { loadCatalog } from "../../infra/catalog";
import { runOfflinePlan } from "../../infra/plan";
import { renderReport } from "../../infra/plan/report";
import { resolveStackFile } from "../../infra/resolve/stack";
import { estimateTrainingMemory, fitsOn, GiB } from "../../infra/sizing";
import { poissonQuantile } from "../../infra/resolve/spot";
import { mutatedStack, scratchDir } from "../helpers/stack-files";

const scratch = scratchDir();
after(() => scratch.cleanup());
const A10 = "ecs.gn7i-c8g1.2xlarge";

/** The dev stack with its job turned into a LoRA run that no A10 holds without a saver, placement not pinned. */
const heavyLora = (over: (job: Record<string, any>) => void = () => {}) =>
  mutatedStack("dev", (c) => {
    const job = c["pai-finetune:jobs"][0];
    job.method = "lora";
    delete job.hyperparameters.loraAlpha;
    job.hyperparameters.seqLen = 2048;
    job.hyperparameters.microBatchSize = 4;
    delete job.resources.instanceType;
    over(job);
  });

function resolve(text: string, name = "Pulumi.dev.yaml") {
  return resolveStackFile(scratch.write(name, text), "dev");
}

function errorOf(text: string): ConfigError {
  try {
    resolve(text, "Pulumi.bad.yaml");
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err;
  }
  assert.fail("accepted");
}

describe("memory savers in the stack", () => {
  it("a job that needs a saver to fit an A10 runs on the A10 with it, and the plan says so", async () => {
    const spec = resolve(heavyLora());
    const job = spec.jobs[0]!;
    assert.equal(job.placement.instance.id, A10);
    assert.ok(job.fits);
    const turnedOn = job.savings?.turnedOn ?? [];
    assert.ok(turnedOn.length > 0);
    // Without those savers the same settings do not fit the A10: the savers were needed, and each one is.
    const a10 = spec.catalog.instance(A10);
    const bare = { ...job.training, ligerKernel: false, activationOffload: false, pagedOptimizer: false };
    assert.equal(fitsOn(estimateTrainingMemory(job.model, bare), a10, job.headroom), false);
    // The command turns on exactly the savers the estimate assumed.
    assert.equal(job.command.includes("--enable_liger_kernel true"), job.training.ligerKernel === true);
    assert.equal(job.command.includes("--use_unsloth_gc true"), job.training.activationOffload);
    assert.equal(job.command.includes("paged_adamw"), job.training.pagedOptimizer);
    assert.equal(job.savings?.withoutSavers?.instance !== A10, true);
    // The offline plan reports it.
    const { report } = await runOfflinePlan(scratch.write("Pulumi.dev.yaml", heavyLora()), "dev");
    const text = renderReport(report);
    assert.match(text, /right-sizer turned on training\.ligerKernel: true/);
    assert.match(
      text,
      new RegExp(`cheaper than ${report.jobs[0]?.notes?.[0]?.match(/than (\S+),/)?.[1] ?? "x"}`),
    );
    assert.ok(report.ok);
  });

  it("savers the config sets either way are not the right-sizer's to change", () => {
    const spec = resolve(
      heavyLora((job) => (job.training = { ligerKernel: false, activationOffloading: false })),
    );
    const job = spec.jobs[0]!;
    assert.notEqual(job.training.ligerKernel, true);
    assert.equal(job.training.activationOffload, false);
    assert.ok(!job.command.includes("--enable_liger_kernel"));
  });

  it("a pinned placement gets an advisory cheaper placement with the savers it needs, never applied", async () => {
    const V100 = "ecs.gn6e-c12g1.3xlarge"; // 22 CNY/h in the catalog, the A10 15
    const text = heavyLora((job) => {
      job.resources.instanceType = V100;
    });
    const job = resolve(text).jobs[0]!;
    assert.equal(job.placement.instance.id, V100, "the pinned placement stays");
    const [same] = job.suggestions ?? [];
    assert.ok(same, JSON.stringify(job.suggestions));
    assert.equal(same.method, "lora");
    assert.equal(same.instance, A10);
    assert.ok(same.savers.length > 0 && same.caveat === undefined);
    assert.ok((same.jobSaving ?? 0) > 0, "cheaper for the whole job, not only per hour");
    const { report } = await runOfflinePlan(scratch.write("Pulumi.dev.yaml", text), "dev");
    assert.match(renderReport(report), /advisory: ecs\.gn7i-c8g1\.2xlarge with training\.ligerKernel: true/);
  });

  it("another method is suggested with its quality caveat when only it makes the job cheaper", () => {
    // A stack-negotiated A100 price of 60 CNY/h (below any other LoRA placement in Hangzhou): a 14B
    // LoRA needs an A100, a 14B QLoRA fits the A10.
    const a100 = loadCatalog().instance("ecs.gn7e-c16g1.4xlarge");
    const job = resolve(
      mutatedStack("dev", (c) => {
        const j = c["pai-finetune:jobs"][0];
        j.method = "lora";
        delete j.hyperparameters.loraAlpha;
        j.baseModel = "qwen1.5-14b-chat";
        j.resources.instanceType = a100.id;
        // Hangzhou, whose list prices this scenario was measured against (prices are per region).
        c["alicloud:region"] = "cn-hangzhou";
        c["pai-finetune:catalog"] = {
          instances: [
            {
              ...JSON.parse(JSON.stringify(a100)),
              // A user price applies to the stack's own region (prices are per region).
              price: {
                amount: 60,
                currency: "CNY",
                per: "hour",
                kind: "user",
                date: "2026-11-30",
                source: "test",
              },
            },
          ],
        };
      }),
    ).jobs[0]!;
    assert.equal(job.placement.instance.id, a100.id);
    const qlora = (job.suggestions ?? []).find((s) => s.method === "qlora");
    assert.ok(qlora, JSON.stringify(job.suggestions));
    assert.match(qlora.caveat ?? "", /QLoRA.*arXiv 2305\.14314.*evaluate before switching/);
    assert.ok((qlora.jobSaving ?? 0) > 0);
    assert.ok(!(job.suggestions ?? []).some((s) => s.method === "lora"), JSON.stringify(job.suggestions));
  });

  it("no advice that is cheaper per hour but dearer for the whole job", () => {
    // The A10 is cheaper per hour than the A100-80G but slower: for this job the A100 is the cheaper run.
    const job = resolve(heavyLora((j) => (j.resources.instanceType = "ecs.gn7e-c16g1.4xlarge"))).jobs[0]!;
    for (const s of job.suggestions ?? []) assert.ok((s.jobSaving ?? 0) > 0, JSON.stringify(s));
  });

  it("the generated command carries the configured savers and the ZeRO-3 sub-group size", () => {
    const spec = resolve(
      heavyLora((job) => {
        job.method = "full";
        delete job.hyperparameters.loraRank;
        job.baseModel = "qwen2.5-0.5b-instruct";
        job.training = {
          ligerKernel: true,
          activationOffloading: true,
          optimizer: "paged-adamw-8bit",
          zeroStage: 3,
          zeroSubGroupSize: 100000000,
        };
        job.resources = { instanceType: "ecs.gn7e-c16g1.4xlarge" };
      }),
    );
    const job = spec.jobs[0]!;
    assert.match(job.command, /--enable_liger_kernel true/);
    assert.match(job.command, /--use_unsloth_gc true/);
    assert.match(job.command, /--optim paged_adamw_8bit/);
    assert.match(job.command, /"sub_group_size":100000000/);
    assert.equal(job.training.zeroSubGroupSize, 1e8);
    assert.ok(
      job.memory.breakdown.some(
        (i) => i.name === "fused linear cross-entropy (Liger)" || i.name.startsWith("ZeRO-3"),
      ),
    );
  });

  it("refuses savers that cannot work, at their key path", () => {
    let err = errorOf(
      heavyLora((job) => (job.training = { activationOffloading: true, gradientCheckpointing: false })),
    );
    assert.ok(
      err.issues.some((i) => i.path.join(".") === "pai-finetune:jobs.0.training.activationOffloading"),
    );
    err = errorOf(heavyLora((job) => (job.training = { zeroSubGroupSize: 100000000 })));
    assert.match(err.message, /zeroSubGroupSize.*ZeRO-3 only/s);
    err = errorOf(
      heavyLora((job) => (job.training = { optimizer: "paged-adamw", offload: true, zeroStage: 2 })),
    );
    assert.ok(err.issues.some((i) => i.path.join(".") === "pai-finetune:jobs.0.training.optimizer"));
    err = errorOf(heavyLora((job) => (job.training = { optimizer: "paged-lion" })));
    assert.ok(err.issues.some((i) => i.path.join(".") === "pai-finetune:jobs.0.training.optimizer"));
  });
});

describe("spot training in the stack", () => {
  const spotStack = (spot: unknown, over: (job: Record<string, any>) => void = () => {}) =>
    mutatedStack("dev", (c) => {
      const job = c["pai-finetune:jobs"][0];
      job.resources.spot = spot;
      over(job);
    });

  it("sends a SpotSpec, checkpoints often and resumes, and estimates price range and restart time", () => {
    const job = resolve(spotStack({ maxDiscount: 0.4 })).jobs[0]!;
    assert.deepEqual(job.spot?.spec, { spotStrategy: "SpotWithPriceLimit", spotDiscountLimit: 0.4 });
    assert.match(job.command, /--save_strategy steps/);
    assert.match(job.command, /--save_steps \d+/);
    assert.match(job.command, /--overwrite_output_dir false/);
    assert.match(job.command, /--output_dir \/mnt\/checkpoints/);
    const e = job.spot.estimate;
    const cost = job.cost.cost?.value ?? Number.NaN;
    assert.ok(e.costLow! < cost * 0.4 && e.costHigh! >= cost * 0.4, `${e.costLow}-${e.costHigh} vs ${cost}`);
    assert.ok(e.extraHoursP95 >= e.extraHoursExpected);
    const plain = resolve(mutatedStack("dev", () => {})).jobs[0]!;
    assert.ok(!plain.command.includes("--save_steps"), "on-demand jobs keep per-epoch checkpoints");
  });

  it("the DlcJob the plan registers carries the SpotSpec, and the plan shows the spot estimate", async () => {
    const { resources, report } = await runOfflinePlan(
      scratch.write("Pulumi.dev.yaml", spotStack({ maxDiscount: 0.5 })),
      "dev",
    );
    const job = resources.find((r) => r.type.endsWith(":DlcJob")) as unknown as {
      inputs: Record<string, unknown>;
    };
    assert.deepEqual(job.inputs.spotSpec, { spotStrategy: "SpotWithPriceLimit", spotDiscountLimit: 0.5 });
    assert.match(
      report.jobs[0]?.notes?.join("\n") ?? "",
      /^spot: cost [\d.]+-[\d.]+ CNY, .*restarts expected/m,
    );
  });

  it("a price cap per hour goes out per minute", () => {
    const job = resolve(spotStack({ maxPricePerHour: 6 })).jobs[0]!;
    assert.deepEqual(job.spot?.spec, { spotStrategy: "SpotWithPriceLimit", spotPriceLimit: 0.1 });
  });

  it("refuses spot on the quota, both limits, and out-of-range discounts at resources.spot", () => {
    const at = "pai-finetune:jobs.0.resources.spot";
    let err = errorOf(spotStack({ maxDiscount: 0.5, maxPricePerHour: 3 }));
    assert.ok(
      err.issues.some((i) => i.path.join(".").startsWith(at)),
      err.message,
    );
    assert.match(err.message, /exactly one of maxDiscount or maxPricePerHour/);
    err = errorOf(spotStack({ maxDiscount: 1.2 }));
    assert.ok(
      err.issues.some((i) => i.path.join(".") === `${at}.maxDiscount`),
      err.message,
    );
    err = errorOf(
      spotStack({ maxDiscount: 0.5 }, (job) => {
        delete job.resources.instanceType;
        job.resources.useQuota = true;
      }),
    );
    assert.match(err.message, /pay-as-you-go/);
  });

  it("Poisson quantile of restarts", () => {
    assert.equal(poissonQuantile(0, 0.95), 0);
    assert.equal(poissonQuantile(1, 0.95), 3); // P(N ≤ 2) = 0.920, P(N ≤ 3) = 0.981
    assert.ok(GiB > 0);
  });
});
