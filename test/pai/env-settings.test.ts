// One rule for numeric environment settings (infra/pai/env-settings.ts): unset or blank → default;
// a number ≥ the setting's minimum → that number (0 included where allowed); anything else → error.
import assert from "node:assert/strict";
import { test } from "node:test";
import { EnvSettingError, envNumber, resolveRetryOptions } from "../../infra/pai";
import { pollCadence, waitLimitMs } from "../../components/providers/impl/common";

test("unset or blank gives the default; 0 is 0 where the minimum allows it", () => {
  assert.equal(envNumber("X", 7, { env: {} }), 7);
  assert.equal(envNumber("X", 7, { env: { X: "  " } }), 7);
  assert.equal(envNumber("X", 7, { env: { X: "0" } }), 0);
  assert.equal(envNumber("X", 7, { env: { X: "2.5" } }), 2.5);
});

test("garbage, negatives and values below the minimum are errors naming the variable", () => {
  for (const [raw, min] of [
    ["abc", 0],
    ["-1", 0],
    ["Infinity", 0],
    ["0", 1],
    ["1e999", 0],
  ] as const)
    assert.throws(
      () => envNumber("PAI_X", 5, { min, env: { PAI_X: raw } }),
      (e: unknown) =>
        e instanceof EnvSettingError && e.message.startsWith(`PAI_X="${raw}": expected a number ≥ ${min}`),
    );
});

test("every reader follows the rule (the old readers turned 0 into the default or ignored garbage)", () => {
  const saved = { ...process.env };
  try {
    process.env.PAI_POLL_BASE_MS = "0";
    assert.equal(pollCadence().baseMs, 0);
    process.env.PAI_RETRY_BASE_MS = "0";
    assert.equal(resolveRetryOptions().baseDelayMs, 0);
    process.env.PAI_QUOTA_WAIT_MINUTES = "0"; // a zero wait would time out at once: refused
    assert.throws(() => waitLimitMs("PAI_QUOTA_WAIT_MINUTES", 30), /PAI_QUOTA_WAIT_MINUTES="0"/);
    process.env.PAI_RETRY_MAX_ATTEMPTS = "three";
    assert.throws(() => resolveRetryOptions(), /PAI_RETRY_MAX_ATTEMPTS="three"/);
    delete process.env.PAI_QUOTA_WAIT_MINUTES;
    assert.equal(waitLimitMs("PAI_QUOTA_WAIT_MINUTES", 30), 30 * 60_000);
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  }
});
