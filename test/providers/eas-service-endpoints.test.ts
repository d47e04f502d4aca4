// EAS service endpoints provider against the emulator: create after CreateService, read, replace on
// rename, read after the service is deleted → gone; delete owns nothing and calls nothing.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  type EasServiceEndpointsInputs,
  easServiceEndpointsProvider as provider,
} from "../../components/providers/eas-service-endpoints";
import { type PaiEmulator } from "../emulator";
import { call, client } from "../emulator/helpers";
import { FAKE_CREDENTIALS, createWithOutputs, startProviderEmulator } from "./setup";

let emu: PaiEmulator;
let eas: ReturnType<typeof client>;
before(async () => {
  emu = await startProviderEmulator();
  eas = client(emu, FAKE_CREDENTIALS.accessKeyId, FAKE_CREDENTIALS.accessKeySecret);
});
after(() => emu.close());

async function createService(name: string): Promise<Record<string, unknown>> {
  return call(eas, "eas", "CreateService", "POST", "/api/v2/services", {
    body: JSON.stringify({ metadata: { name, instance: 1 }, containers: [{ image: "vllm:1", port: 8000 }] }),
  });
}
const deleteService = (name: string) =>
  call(eas, "eas", "DeleteService", "DELETE", `/api/v2/services/cn-hangzhou/${name}`);

const base = (over: Partial<EasServiceEndpointsInputs> = {}): EasServiceEndpointsInputs => ({
  region: "cn-hangzhou",
  serviceName: "llm_endpoints",
  ...over,
});
const actions = (from: number) =>
  emu
    .requests()
    .slice(from)
    .map((r) => r.action);

void describe("EasServiceEndpoints provider", () => {
  void it("check requires region and serviceName; skips unknowns", async () => {
    assert.deepEqual((await provider.check!(base(), base())).failures, []);
    const bad = await provider.check!(base(), { region: "Hangzhou", serviceName: "" });
    const props = (bad.failures ?? []).map((f) => f.property).sort();
    assert.deepEqual(props, ["region", "serviceName"]);
    const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
    assert.deepEqual((await provider.check!(base(), base({ serviceName: unknown }))).failures, []);
  });

  void it("diff: serviceName and region replace; the endpoint override does not diff", async () => {
    const olds = { ...base(), internetEndpoint: "", intranetEndpoint: "", serviceId: "s", status: "Running" };
    assert.deepEqual((await provider.diff!("x", olds, base({ serviceName: "other" }))).replaces, [
      "serviceName",
    ]);
    assert.deepEqual((await provider.diff!("x", olds, base({ region: "cn-shanghai" }))).replaces, ["region"]);
    assert.equal((await provider.diff!("x", olds, base({ endpoint: "http://x" }))).changes, false);
  });

  void it("create after CreateService → read → replace on rename → read after delete of the service is gone", async () => {
    const svc = await createService("llm_endpoints");
    const created = await createWithOutputs(provider, base());
    assert.equal(created.id, "cn-hangzhou/llm_endpoints");
    assert.equal(created.outs.internetEndpoint, svc.InternetEndpoint);
    assert.equal(created.outs.intranetEndpoint, svc.IntranetEndpoint);
    assert.match(created.outs.internetEndpoint, /^http:\/\/.+pai-eas\.aliyuncs\.com/);
    assert.equal(created.outs.serviceId, svc.ServiceId);
    assert.match(created.outs.status, /\S/);
    assert.ok(!("accessToken" in created.outs) && !JSON.stringify(created.outs).includes("AccessToken"));

    const read = await provider.read!(created.id, created.outs);
    assert.equal(read.id, created.id);
    assert.equal(read.props?.internetEndpoint, created.outs.internetEndpoint);

    const updated = await provider.update!(created.id, created.outs, base({ endpoint: emu.url }));
    assert.equal(updated.outs?.intranetEndpoint, created.outs.intranetEndpoint);

    await createService("llm_endpoints_v2");
    const diff = await provider.diff!(created.id, created.outs, base({ serviceName: "llm_endpoints_v2" }));
    assert.deepEqual(diff.replaces, ["serviceName"]);
    const replacement = await createWithOutputs(provider, base({ serviceName: "llm_endpoints_v2" }));
    assert.equal(replacement.id, "cn-hangzhou/llm_endpoints_v2");
    assert.notEqual(replacement.outs.internetEndpoint, created.outs.internetEndpoint);

    const from = emu.requests().length;
    await provider.delete!(created.id, created.outs);
    assert.deepEqual(actions(from), [], "delete owns nothing and calls nothing");
    assert.ok(
      emu.services().some((s) => s.ServiceName === "llm_endpoints" && s.deleted === false),
      "the service is untouched",
    );

    await deleteService("llm_endpoints_v2");
    const gone = await provider.read!(replacement.id, replacement.outs);
    assert.equal(gone.id, "", "a deleted service makes the endpoints resource gone");
    assert.equal(gone.props, undefined);
  });

  void it("create on a missing service is a clear error", async () => {
    await assert.rejects(
      createWithOutputs(provider, base({ serviceName: "no_such_service" })),
      /EAS DescribeService service=no_such_service: .*NotFound/,
    );
  });
});
