// Retries: backoff on throttling / 429 / 5xx / dropped connections, bounded by attempts and a
// deadline; never on a 4xx validation error; creates are not blindly re-sent. Requests are counted.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  DlcClient,
  PaiApiError,
  type RetryInfo,
  type RetryOptions,
  backoffDelay,
  resolveRetryOptions,
  staticCredentialSource,
} from "../../infra/pai";
import { type Reply, startRecorder } from "./recorder";

const ok: Reply = { body: { JobId: "dlc-1", Status: "Running" } };
const fast: RetryOptions = { baseDelayMs: 1, maxDelayMs: 5, maxAttempts: 6, deadlineMs: 10_000 };

/** Replies with `failures` in order, then `ok` forever. */
async function scripted(failures: Reply[], retry: RetryOptions = fast) {
  const recorder = await startRecorder((_req, index) => failures[index] ?? ok);
  const client = new DlcClient({
    region: "cn-hangzhou",
    endpoint: recorder.url,
    credentials: staticCredentialSource("a", "b"),
    retry,
  });
  return { recorder, client };
}

const err = (status: number, code: string): Reply => ({
  status,
  body: { Code: code, Message: `${code} happened` },
});

void describe("retry policy", () => {
  const retried: [string, Reply][] = [
    ["Throttling.User (HTTP 400)", err(400, "Throttling.User")],
    ["Throttling (HTTP 400)", err(400, "Throttling")],
    ["Rejected.Throttling", err(400, "Rejected.Throttling")],
    ["HTTP 429", err(429, "TooManyRequests")],
    ["HTTP 500", err(500, "InternalError")],
    ["ServiceUnavailable (HTTP 503)", err(503, "ServiceUnavailable")],
    ["a dropped connection", "drop"],
  ];
  for (const [what, failure] of retried) {
    void it(`retries ${what} and succeeds (3 failures + 1 success = 4 requests)`, async () => {
      const { recorder, client } = await scripted([failure, failure, failure]);
      try {
        const job = await client.getJob("dlc-1");
        assert.equal(job.status, "Running");
        assert.equal(recorder.requests.length, 4);
      } finally {
        await recorder.close();
      }
    });
  }

  void it("gives up after maxAttempts with the last error and the attempt count", async () => {
    const { recorder, client } = await scripted(Array(50).fill(err(503, "ServiceUnavailable")), {
      ...fast,
      maxAttempts: 4,
    });
    try {
      await assert.rejects(client.getJob("dlc-1"), (e: unknown) => {
        assert.ok(e instanceof PaiApiError);
        assert.equal(e.code, "ServiceUnavailable");
        assert.equal(e.attempts, 4);
        assert.match(e.message, /after 4 attempts/);
        return true;
      });
      assert.equal(recorder.requests.length, 4);
    } finally {
      await recorder.close();
    }
  });

  void it("stops at the total deadline before using all attempts", async () => {
    const { recorder, client } = await scripted(Array(200).fill(err(503, "ServiceUnavailable")), {
      baseDelayMs: 20,
      maxDelayMs: 20,
      maxAttempts: 100,
      deadlineMs: 100,
      random: () => 0.99,
    });
    try {
      await assert.rejects(client.getJob("dlc-1"), PaiApiError);
      // Each wait is 19 ms, so a 100 ms budget allows at most 6 requests; far fewer than 100.
      assert.ok(recorder.requests.length <= 6, `sent ${recorder.requests.length}`);
      assert.ok(recorder.requests.length >= 2);
    } finally {
      await recorder.close();
    }
  });

  for (const [what, failure] of [
    ["InvalidParameter (400)", err(400, "InvalidParameter")],
    ["MissingParameter (400)", err(400, "MissingParameter")],
    ["Forbidden.RAM (403)", err(403, "Forbidden.RAM")],
    ["NotFound (404)", err(404, "NotFound")],
  ] as [string, Reply][]) {
    void it(`never retries ${what}: exactly one request`, async () => {
      const { recorder, client } = await scripted([failure, failure]);
      try {
        await assert.rejects(client.getJob("dlc-1"), PaiApiError);
        assert.equal(recorder.requests.length, 1);
      } finally {
        await recorder.close();
      }
    });
  }

  void it("does not re-send CreateJob after a 5xx or a drop (it may have been created), but does after throttling", async () => {
    const req = { displayName: "x", jobType: "PyTorchJob", jobSpecs: [], userCommand: "c" };
    for (const ambiguous of [err(500, "InternalError"), "drop" as const]) {
      const { recorder, client } = await scripted([ambiguous]);
      try {
        await assert.rejects(client.createJob(req), PaiApiError);
        assert.equal(recorder.requests.length, 1);
      } finally {
        await recorder.close();
      }
    }
    const { recorder, client } = await scripted([err(400, "Throttling.User"), err(429, "TooManyRequests")]);
    try {
      assert.equal((await client.createJob(req)).jobId, "dlc-1");
      assert.equal(recorder.requests.length, 3);
    } finally {
      await recorder.close();
    }
  });

  void it("backs off exponentially with full jitter, capped", async () => {
    const delays: number[] = [];
    const { recorder, client } = await scripted(Array(5).fill(err(503, "ServiceUnavailable")), {
      baseDelayMs: 10,
      maxDelayMs: 40,
      maxAttempts: 6,
      random: () => 0.999,
      onRetry: (info: RetryInfo) => delays.push(info.delayMs),
    });
    try {
      await client.getJob("dlc-1");
      assert.deepEqual(delays, [9, 19, 39, 39, 39]);
    } finally {
      await recorder.close();
    }
  });

  void it("full jitter spans [0, ceiling)", () => {
    const options = resolveRetryOptions({ baseDelayMs: 100, maxDelayMs: 1000, random: () => 0 });
    assert.equal(backoffDelay(3, options), 0);
    assert.equal(backoffDelay(3, { ...options, random: () => 0.5 }), 200);
  });
});
