// Spot DLC jobs in the emulator: strict SpotSpec validation, bidding against the market, preemption and restart
// (manual clock, so every phase boundary is exact).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type OpenApi from "@alicloud/openapi-client";
import { type PaiEmulator, startEmulator } from "./index";
import { call, callError, client, validJob } from "./helpers";

const TIMING = {
  jobCreatingMs: 1000,
  jobQueuingMs: 1000,
  jobRunningMs: 1000,
  jobStoppingMs: 1000,
  jobRestartingMs: 500,
  quotaCreatingMs: 1000,
};
const spotJob = (spot: Record<string, unknown>, name = "spot-job") =>
  validJob({
    DisplayName: name,
    JobSpecs: [
      {
        Type: "Worker",
        Image: "registry/img:1",
        PodCount: 1,
        EcsSpec: "ecs.gn7i-c8g1.2xlarge",
        SpotSpec: spot,
      },
    ],
  });

void describe("DLC spot jobs (manual clock)", () => {
  let emu: PaiEmulator;
  let c: OpenApi;
  let t = 1_900_000_000_000;
  before(async () => {
    emu = await startEmulator({ timing: TIMING, now: () => t });
    c = client(emu);
  });
  after(() => emu.close());
  const create = (body: Record<string, unknown>) =>
    call(c, "dlc", "CreateJob", "POST", "/api/v1/jobs", { body });
  const get = (id: unknown) => call(c, "dlc", "GetJob", "GET", `/api/v1/jobs/${String(id)}`);

  void it("refuses a SpotSpec without a strategy, with both or neither limit, or with unknown keys", async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ SpotDiscountLimit: 0.5 }, /SpotStrategy/],
      [{ SpotStrategy: "SpotWithPriceLimit" }, /exactly one of SpotDiscountLimit and SpotPriceLimit/],
      [
        { SpotStrategy: "SpotWithPriceLimit", SpotDiscountLimit: 0.5, SpotPriceLimit: 0.1 },
        /exactly one of SpotDiscountLimit and SpotPriceLimit/,
      ],
      [{ SpotStrategy: "SpotAsPriceGo", SpotDiscountLimit: 0.5 }, /SpotStrategy/],
      [{ SpotStrategy: "SpotWithPriceLimit", SpotDiscountLimit: 1.5 }, /SpotDiscountLimit/],
      [{ SpotStrategy: "SpotWithPriceLimit", SpotDiscountLimit: "0.5" }, /SpotDiscountLimit/],
      [{ SpotStrategy: "SpotWithPriceLimit", SpotDiscountLimit: 0.5, Bid: 1 }, /Bid/],
    ];
    for (const [spot, message] of cases) {
      const e = await callError(create(spotJob(spot)));
      assert.equal(e.code, e.code.startsWith("Missing") ? e.code : "InvalidParameter", JSON.stringify(spot));
      assert.match(e.message, message, JSON.stringify(spot));
      assert.match(e.message, /JobSpecs\[0\]\.SpotSpec/);
    }
  });

  void it("bids until the market is within the limit, runs, is reclaimed when it rises, restarts and succeeds", async () => {
    emu.setSpotMarket(0.6); // above a 0.5 bid
    const { JobId } = await create(
      spotJob({ SpotStrategy: "SpotWithPriceLimit", SpotDiscountLimit: 0.5 }, "bid"),
    );
    t += 2000; // created + queued
    assert.equal((await get(JobId)).Status, "Bidding");
    t += 1; // a market move applies from its own time on
    emu.setSpotMarket(0.4);
    assert.equal((await get(JobId)).Status, "Running");
    t += 400;
    emu.setSpotMarket(0.7); // reclaimed after 400 of the 1000 ms of work
    let job = await get(JobId);
    assert.equal(job.Status, "Restarting");
    assert.equal(job.RestartTimes, "1/10");
    assert.equal((job.Pods as { SubStatus: string }[])[0]?.SubStatus, "Evicted");
    t += 500;
    assert.equal((await get(JobId)).Status, "Bidding");
    t += 1;
    emu.setSpotMarket(0.3);
    t += 599;
    assert.equal((await get(JobId)).Status, "Running");
    t += 1; // 400 + 600 ms of work done
    job = await get(JobId);
    assert.equal(job.Status, "Succeeded");
    const history = (job.StatusHistory as { Status: string }[]).map((h) => h.Status);
    assert.deepEqual(history, [
      "Creating",
      "Queuing",
      "Bidding",
      "Running",
      "Restarting",
      "Bidding",
      "Running",
      "Succeeded",
    ]);
  });

  void it("a price limit per minute bids against the market's price per minute", async () => {
    emu.setSpotMarket(0.3, 0.2);
    const { JobId } = await create(
      spotJob({ SpotStrategy: "SpotWithPriceLimit", SpotPriceLimit: 0.1 }, "ppm"),
    );
    t += 2000;
    assert.equal((await get(JobId)).Status, "Bidding");
    t += 1;
    emu.setSpotMarket(0.3, 0.05);
    assert.equal((await get(JobId)).Status, "Running");
    await call(c, "dlc", "StopJob", "POST", `/api/v1/jobs/${String(JobId)}/stop`);
  });

  void it("a preemption a test asks for restarts the job, which then succeeds", async () => {
    emu.setSpotMarket(0.3, 0.05);
    emu.preemptJobs((j) => j.DisplayName === "pre", 200);
    const { JobId } = await create(
      spotJob({ SpotStrategy: "SpotWithPriceLimit", SpotDiscountLimit: 0.5 }, "pre"),
    );
    t += 2000 + 200;
    assert.equal((await get(JobId)).Status, "Restarting");
    t += 500 + 800;
    const job = await get(JobId);
    assert.equal(job.Status, "Succeeded");
    assert.equal(job.RestartTimes, "1/10");
  });

  void it("a quota job cannot bid", async () => {
    const q = await call(c, "paistudio", "CreateQuota", "POST", "/api/v1/quotas", {
      body: {
        QuotaName: "qs",
        ResourceType: "Lingjun",
        Min: { NodeSpecs: [{ Type: "ml.gu7xf.8xlarge-gu108", Count: 1 }] },
      },
    });
    t += 1000;
    const e = await callError(
      create(
        validJob({
          ResourceId: q.QuotaId,
          JobSpecs: [
            {
              Type: "Worker",
              Image: "registry/img:1",
              PodCount: 1,
              ResourceConfig: { CPU: "8", GPU: "1", Memory: "64Gi" },
              SpotSpec: { SpotStrategy: "SpotWithPriceLimit", SpotDiscountLimit: 0.5 },
            },
          ],
        }),
      ),
    );
    assert.equal(e.code, "InvalidParameter");
    assert.match(e.message, /quota/);
  });
});
