// Fault injection: each kind, action filters, FIFO order, and seeded random faults.
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import type OpenApi from "@alicloud/openapi-client";
import { type PaiEmulator, startEmulator } from "./index";
import { call, callError, client, validJob } from "./helpers";

void describe("fault injection", () => {
  let emu: PaiEmulator;
  let c: OpenApi;
  before(async () => {
    emu = await startEmulator({ timing: { jobCreatingMs: 60_000 } });
    c = client(emu);
  });
  after(() => emu.close());
  beforeEach(() => emu.faults.clear());

  const create = (name: string, readTimeout?: number) =>
    call(c, "dlc", "CreateJob", "POST", "/api/v1/jobs", {
      body: validJob({ DisplayName: name }),
      ...(readTimeout ? { readTimeout } : {}),
    });
  const list = () => call(c, "dlc", "ListJobs", "GET", "/api/v1/jobs");
  const jobsNamed = (name: string) => emu.jobs().filter((j) => j.DisplayName === name);

  void it("throttles with alternating 400 Throttling.User / 429 Throttling.Api, without acting", async () => {
    emu.faults.inject({ kind: "throttle", action: "CreateJob" }, 2);
    const first = await callError(create("throttled"));
    const second = await callError(create("throttled"));
    assert.deepEqual([first.statusCode, first.code], [400, "Throttling.User"]);
    assert.deepEqual([second.statusCode, second.code], [429, "Throttling.Api"]);
    assert.ok(first.data.RequestId && first.data.HostId && first.data.Message);
    assert.equal(jobsNamed("throttled").length, 0);
    await create("throttled");
    assert.equal(jobsNamed("throttled").length, 1);
    assert.equal(emu.faults.injected.throttle, 2);
  });

  void it("answers 500 InternalError and 503 ServiceUnavailable in FIFO order, without acting", async () => {
    emu.faults.inject({ kind: "http500" });
    emu.faults.inject({ kind: "http503" });
    const a = await callError(create("five-hundred"));
    const b = await callError(create("five-hundred"));
    assert.deepEqual([a.statusCode, a.code], [500, "InternalError"]);
    assert.deepEqual([b.statusCode, b.code], [503, "ServiceUnavailable"]);
    assert.equal(jobsNamed("five-hundred").length, 0);
  });

  void it("applies a fault only to its action", async () => {
    emu.faults.inject({ kind: "http500", action: "GetJob" });
    await list(); // not GetJob: unaffected, fault stays queued
    const { JobId } = await create("filtered");
    const err = await callError(call(c, "dlc", "GetJob", "GET", `/api/v1/jobs/${String(JobId)}`));
    assert.equal(err.statusCode, 500);
  });

  void it("drop-after-action creates the job but resets the connection; a lookup finds it", async () => {
    emu.faults.inject({ kind: "drop-after-action", action: "CreateJob" });
    const err = await callError(create("dropped-after"));
    assert.match(String((err as unknown as { message: string }).message), /socket hang up|ECONNRESET/);
    assert.equal(jobsNamed("dropped-after").length, 1);
    assert.equal(emu.requests().at(-1)?.status, 0);
    const listed = (
      await call(c, "dlc", "ListJobs", "GET", "/api/v1/jobs", { query: { DisplayName: "dropped-after" } })
    ).Jobs as unknown[];
    assert.equal(listed.length, 1);
  });

  void it("drop-before-action resets the connection without creating anything", async () => {
    emu.faults.inject({ kind: "drop-before-action" });
    const err = await callError(create("dropped-before"));
    assert.match(String((err as unknown as { message: string }).message), /socket hang up|ECONNRESET/);
    assert.equal(jobsNamed("dropped-before").length, 0);
  });

  void it("slow answers late but normally; the action has happened even if the client gave up", async () => {
    emu.faults.inject({ kind: "slow", delayMs: 30 });
    const ok = await create("slow-ok");
    assert.match(String(ok.JobId), /^dlc/);
    emu.faults.inject({ kind: "slow", delayMs: 400 });
    const err = await callError(create("slow-timeout", 50));
    assert.match(String((err as unknown as { message: string }).message), /timeout/i);
    assert.equal(jobsNamed("slow-timeout").length, 1);
    assert.equal(emu.faults.injected.slow, 2);
  });

  void it("clear() drops queued faults", async () => {
    emu.faults.inject({ kind: "http500" }, 3);
    emu.faults.clear();
    await list();
  });
});

void describe("random faults", () => {
  async function outcomes(seed: number): Promise<string[]> {
    const emu = await startEmulator({ seed });
    try {
      emu.faults.setRandom(0.5, ["throttle", "http500", "http503"], { actions: ["ListJobs"] });
      const c = client(emu);
      const out: string[] = [];
      for (let i = 0; i < 30; i++) {
        try {
          await call(c, "dlc", "ListJobs", "GET", "/api/v1/jobs");
          out.push("ok");
        } catch (e) {
          out.push((e as { code: string }).code);
        }
      }
      // Not a listed action: never faulted.
      await call(c, "dlc", "CreateJob", "POST", "/api/v1/jobs", { body: validJob() });
      const injected = Object.values(emu.faults.injected).reduce((a, b) => a + b, 0);
      assert.equal(injected, out.filter((o) => o !== "ok").length);
      return out;
    } finally {
      await emu.close();
    }
  }

  void it("is reproducible for a seed and faults some but not all requests", async () => {
    const a = await outcomes(42);
    const b = await outcomes(42);
    assert.deepEqual(a, b);
    assert.ok(a.includes("ok"));
    assert.ok(a.some((o) => o !== "ok"));
  });
});
