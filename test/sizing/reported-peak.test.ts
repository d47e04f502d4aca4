/**
 * What `size --json` reports as perGpuGiB, per mode, and that fit decisions use the device figure.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { size } from "../../infra/cli/size";
import { parseSizeArgs } from "../../infra/cli/size-args";
import { DEVICE_RESERVE_ITEMS } from "../../infra/sizing";

const run = (argv: string) => size(parseSizeArgs(argv.split(" ")));

test("inference reports peak allocated tensors; the CUDA context and allocator reserve are in deviceGiB", () => {
  const r = run("--model qwen2.5-7b-instruct --mode inference --context 2049 --concurrency 1");
  const reserve = r.breakdown
    .filter((i) => DEVICE_RESERVE_ITEMS.includes(i.name))
    .reduce((a, i) => a + i.GiB, 0);
  assert.ok(reserve > 1, "the breakdown still lists the reserve");
  assert.equal(r.perGpuGiB, r.allocatedGiB);
  assert.ok(Math.abs(r.deviceGiB - r.perGpuGiB - reserve) < 0.01);
  // Every listed fit leaves room for the device figure, not just the allocated one.
  for (const f of r.fits)
    assert.ok(f.headroomGiB >= 0, `${f.instance} is listed as a fit with negative headroom`);
});

test("training reports what the GPU must hold", () => {
  const r = run("--model qwen1.5-7b-chat --method lora --seq-len 1024 --batch-size 1");
  assert.equal(r.perGpuGiB, r.deviceGiB);
  assert.ok(r.allocatedGiB < r.deviceGiB);
});
