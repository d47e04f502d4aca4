/** GPU capabilities in the catalog, and the settings (and memory) of what each GPU actually runs. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadCatalog } from "../../infra/catalog";
import {
  ALLOCATOR_OVERHEAD_FACTOR,
  defaultTrainingSettings,
  estimateTrainingMemory,
  gpuCapabilities,
  precisionProblem,
  trainingSettingsForGpu,
} from "../../infra/sizing";

const catalog = loadCatalog();

describe("GPU capabilities", () => {
  it("every shipped instance records them with a source; Volta and Turing have neither bf16 nor FlashAttention-2", () => {
    for (const i of catalog.instances.values()) {
      assert.ok(i.capabilities, `${i.id} has no capabilities`);
      assert.match(i.capabilities.source, /\S/);
      if (/V100|T4/.test(i.gpuModel)) {
        assert.equal(i.capabilities.bf16, false, i.id);
        assert.equal(i.capabilities.flashAttention2, false, i.id);
        assert.ok(Number(i.capabilities.computeCapability) < 8, i.id);
      }
      // bf16 and FlashAttention-2 both start at compute capability 8.0; FP8 at 8.9.
      assert.equal(i.capabilities.bf16, Number(i.capabilities.computeCapability) >= 8, i.id);
      if (i.capabilities.fp8) assert.ok(Number(i.capabilities.computeCapability) >= 8.9, i.id);
    }
  });

  it("an instance a stack adds without capabilities is read conservatively from its GPU name", () => {
    const base = catalog.instance("ecs.gn6e-c12g1.3xlarge");
    const { capabilities: _c, ...bare } = base;
    assert.equal(gpuCapabilities({ ...bare, gpuModel: "V100-32G" }).bf16, false);
    assert.equal(gpuCapabilities({ ...bare, gpuModel: "H100" }).fp8, false);
  });

  it("no GPU without bf16 / FlashAttention-2 is given them: every such instance runs fp16 and SDPA", () => {
    const s = defaultTrainingSettings("lora");
    let seen = 0;
    for (const i of catalog.instances.values()) {
      const runs = trainingSettingsForGpu(s, i, false)!;
      if (!gpuCapabilities(i).bf16) {
        seen++;
        assert.equal(runs.precision, "fp16-mixed", i.id);
        assert.equal(precisionProblem("bf16-mixed", i) !== undefined, true, i.id);
        assert.equal(trainingSettingsForGpu(s, i, true), undefined, `${i.id}: a pinned bf16 cannot run`);
      } else assert.equal(runs.precision, "bf16-mixed", i.id);
      assert.equal(runs.attention, gpuCapabilities(i).flashAttention2 ? undefined : "sdpa", i.id);
    }
    assert.ok(seen >= 4, "the catalog has Volta/Turing instances to check");
  });

  it("SDPA adds one b×s×s 16-bit mask to the activations, FlashAttention-2 nothing", () => {
    const model = catalog.model("qwen1.5-7b-chat");
    const s = defaultTrainingSettings("lora", { seqLen: 4096, microBatchSize: 2 });
    const act = (x: typeof s) =>
      estimateTrainingMemory(model, x).breakdown.find((i) => i.name === "activations")!;
    const mask = act({ ...s, attention: "sdpa" }).bytes - act(s).bytes;
    assert.equal(mask, 4096 * 4096 * 2 * 2);
    const total = (x: typeof s) => estimateTrainingMemory(model, x).perGpuBytes;
    assert.ok(Math.abs(total({ ...s, attention: "sdpa" }) - total(s) - mask * ALLOCATOR_OVERHEAD_FACTOR) < 1);
  });
});
