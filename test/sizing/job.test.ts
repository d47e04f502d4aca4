import assert from "node:assert/strict";
import * as path from "node:path";
import { describe, it } from "node:test";
import { decodeJobSizing, encodeJobSizing, sizeJob } from "../../infra/sizing";
import { resolveStackFile } from "../../infra/resolve/stack";

const resolved = resolveStackFile(path.resolve(__dirname, "../../stacks/Pulumi.prod.yaml"), "prod");

describe("job sizing inputs", () => {
  it("round-trip through the string a DlcJob carries and size the job as the resolution did", () => {
    for (const job of resolved.jobs) {
      const decoded = decodeJobSizing(encodeJobSizing(job.sizing));
      assert.deepStrictEqual(decoded, JSON.parse(JSON.stringify(job.sizing)));
      const sized = sizeJob(decoded);
      assert.equal(sized.memory.perGpuBytes, job.memory.perGpuBytes);
      assert.equal(sized.fits, job.fits);
      assert.equal(sized.gpuMemoryBytes, job.gpuMemoryBytes);
    }
  });

  it("a headroom change moves the fit, as the policy will see it", () => {
    const job = resolved.jobs[0]!;
    const need = job.memory.perGpuBytes / job.gpuMemoryBytes;
    assert.equal(sizeJob({ ...job.sizing, headroom: 1 - need + 0.01 }).fits, false);
    assert.equal(sizeJob({ ...job.sizing, headroom: Math.max(0, 1 - need - 0.01) }).fits, true);
  });

  it("refuses text that is not sizing inputs, saying what is wrong", () => {
    assert.throws(() => decodeJobSizing("{"), /sizing: not JSON/);
    assert.throws(() => decodeJobSizing("null"), /sizing: missing model, training, workload/);
    const partial = JSON.parse(encodeJobSizing(resolved.jobs[0]!.sizing)) as Record<string, unknown>;
    delete partial.instance;
    assert.throws(() => decodeJobSizing(JSON.stringify(partial)), /sizing: missing instance$/);
  });
});
