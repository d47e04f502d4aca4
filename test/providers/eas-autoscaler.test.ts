// EAS autoscaler provider lifecycle against the emulator: create, read, update in place, replace
// (another service), delete.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  type EasAutoscalerInputs,
  type EasAutoscalerOutputs,
  easAutoscalerProvider as provider,
} from "../../components/providers/eas-autoscaler";
import { type PaiEmulator } from "../emulator";
import { call, client } from "../emulator/helpers";
import { FAKE_CREDENTIALS, startProviderEmulator, createWithOutputs } from "./setup";

let emu: PaiEmulator;
before(async () => {
  emu = await startProviderEmulator();
  const c = client(emu, FAKE_CREDENTIALS.accessKeyId, FAKE_CREDENTIALS.accessKeySecret);
  for (const name of ["llm_chat", "llm_chat_v2"]) {
    await call(c, "eas", "CreateService", "POST", "/api/v2/services", {
      body: JSON.stringify({
        metadata: { name, instance: 1 },
        containers: [{ image: "vllm:1", port: 8000 }],
      }),
    });
  }
});
after(() => emu.close());

const base = (over: Partial<EasAutoscalerInputs> = {}): EasAutoscalerInputs => ({
  region: "cn-hangzhou",
  serviceName: "llm_chat",
  min: 1,
  max: 4,
  strategies: [{ metricName: "qps", threshold: 20 }],
  scaleDownStabilizationSeconds: 300,
  ...over,
});
const autoscaler = (service: string) => emu.autoscalers().find((a) => a.ServiceName === service);

void describe("EasAutoscaler provider", () => {
  void it("check: max > min, known metrics only", async () => {
    assert.deepEqual((await provider.check!(base(), base())).failures, []);
    const bad = await provider.check!(
      base(),
      base({ min: 3, max: 2, strategies: [{ metricName: "memory" as never, threshold: 0 }] }),
    );
    const props = (bad.failures ?? []).map((f) => f.property);
    assert.ok(props.includes("max"), props.join());
    assert.ok(props.includes("strategies"), props.join());
  });

  void it("diff: limits and strategies in place; serviceName replaces", async () => {
    const olds = base() as EasAutoscalerOutputs;
    assert.deepEqual(
      (
        await provider.diff!(
          "x",
          olds,
          base({ max: 8, strategies: [{ metricName: "gpu[util]", threshold: 70 }] }),
        )
      ).replaces,
      [],
    );
    assert.deepEqual((await provider.diff!("x", olds, base({ serviceName: "llm_chat_v2" }))).replaces, [
      "serviceName",
    ]);
  });

  void it("create → read → update in place → replace → delete", async () => {
    const created = await createWithOutputs(provider, base());
    assert.equal(created.id, "cn-hangzhou/llm_chat");
    assert.equal(autoscaler("llm_chat")?.max, 4);

    const read = await provider.read!(created.id, created.outs);
    assert.equal(read.props?.max, 4);
    assert.deepEqual(read.props?.strategies, [{ metricName: "qps", threshold: 20 }]);

    const updated = await provider.update!(
      created.id,
      created.outs,
      base({ max: 8, scaleUpStabilizationSeconds: 30 }),
    );
    assert.equal(autoscaler("llm_chat")?.max, 8);
    assert.equal((await provider.read!(created.id, updated.outs)).props?.scaleUpStabilizationSeconds, 30);

    const replacement = await createWithOutputs(provider, base({ serviceName: "llm_chat_v2", max: 8 }));
    await provider.delete!(created.id, updated.outs!);
    assert.equal(autoscaler("llm_chat"), undefined);
    assert.equal((await provider.read!(created.id, updated.outs)).id, "", "read reports it gone");
    await provider.delete!(replacement.id, replacement.outs);
    assert.deepEqual(emu.autoscalers(), []);
  });

  void it("create on a service that already has an autoscaler updates it instead of failing", async () => {
    await createWithOutputs(provider, base({ max: 3 }));
    const again = await createWithOutputs(provider, base({ max: 5 }));
    assert.equal(autoscaler("llm_chat")?.max, 5);
    await provider.delete!(again.id, again.outs);
  });

  void it("a missing service is a clear error", async () => {
    await assert.rejects(
      createWithOutputs(provider, base({ serviceName: "no_such_service" })),
      /EAS DescribeService service=no_such_service: .*NotFound/,
    );
  });
});
