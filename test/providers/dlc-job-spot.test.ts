// A spot DLC job through the provider: SpotSpec on the wire, a preemption, a restart and success, with
// throttling and 5xx faults injected on the polls and the create.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  type DlcJobInputs,
  type DlcJobOutputs,
  dlcJobProvider as provider,
} from "../../components/providers/dlc-job";
import { type PaiEmulator } from "../emulator";
import { call, client } from "../emulator/helpers";
import { FAKE_CREDENTIALS, createWithOutputs, liveJobs, startProviderEmulator } from "./setup";

let emu: PaiEmulator;
before(async () => {
  emu = await startProviderEmulator({ timing: { jobRestartingMs: 20 } });
});
after(() => emu.close());

const spotInputs = (name: string, spotSpec: DlcJobInputs["spotSpec"]): DlcJobInputs => ({
  region: "cn-hangzhou",
  workspaceId: "ws-1",
  displayName: name,
  jobType: "PyTorchJob",
  image: "registry.cn-hangzhou.aliyuncs.com/pai/llm:1",
  userCommand: "llamafactory-cli train --overwrite_output_dir false",
  podCount: 1,
  ecsSpec: "ecs.gn7i-c8g1.2xlarge",
  outputUri: "oss://bucket/output/",
  waitFor: "succeeded",
  spotSpec,
});

void describe("DlcJob provider, spot", () => {
  void it("check refuses a SpotSpec with both limits or neither", async () => {
    const both = spotInputs("both", {
      spotStrategy: "SpotWithPriceLimit",
      spotDiscountLimit: 0.5,
      spotPriceLimit: 0.2,
    });
    const neither = spotInputs("neither", { spotStrategy: "SpotWithPriceLimit" });
    for (const inputs of [both, neither]) {
      const r = await provider.check!(inputs, inputs);
      assert.deepEqual(
        (r.failures ?? []).map((f) => f.property),
        ["spotSpec"],
      );
    }
  });

  void it("takes a job through a preemption to success, with faults injected", async () => {
    emu.setSpotMarket(0.3, 0.05);
    emu.preemptJobs((j) => j.DisplayName.startsWith("spot-pre-"), 10);
    emu.faults.inject({ kind: "http503", action: "CreateJob" });
    emu.faults.inject({ kind: "throttle", action: "GetJob" }, 2);
    emu.faults.inject({ kind: "http500", action: "GetJob" }, 2);
    const created = await createWithOutputs<DlcJobInputs, DlcJobOutputs>(
      provider,
      spotInputs("spot-pre", { spotStrategy: "SpotWithPriceLimit", spotDiscountLimit: 0.5 }),
    );
    assert.equal(created.outs.status, "Succeeded");
    const record = emu.jobs().find((j) => j.JobId === created.id);
    const spec = (record?.JobSpecs as Record<string, unknown>[])[0];
    assert.deepEqual(spec?.SpotSpec, { SpotStrategy: "SpotWithPriceLimit", SpotDiscountLimit: 0.5 });
    const seen = emu.faults.injected;
    assert.ok(
      (seen.throttle ?? 0) >= 1 && (seen.http500 ?? 0) >= 1 && (seen.http503 ?? 0) >= 1,
      JSON.stringify(seen),
    );
    // The emulator's own view: it was reclaimed once and restarted before it succeeded.
    const job = await fetchStatusHistory(created.id);
    assert.deepEqual(job.history.filter((s) => s === "Restarting").length, 1);
    assert.equal(job.restartTimes, "1/10");
    await provider.delete!(created.id, created.outs);
    assert.deepEqual(
      liveJobs(emu).map((j) => j.JobId),
      [],
    );
  });
});

async function fetchStatusHistory(id: string): Promise<{ history: string[]; restartTimes: string }> {
  const c = client(emu, FAKE_CREDENTIALS.accessKeyId, FAKE_CREDENTIALS.accessKeySecret);
  const job = await call(c, "dlc", "GetJob", "GET", `/api/v1/jobs/${id}`);
  return {
    history: (job.StatusHistory as { Status: string }[]).map((h) => h.Status),
    restartTimes: String(job.RestartTimes),
  };
}
