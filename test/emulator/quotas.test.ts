// PAIStudio quotas: validation, Creating → Ready, update/scale, delete rules, ListQuotas.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type OpenApi from "@alicloud/openapi-client";
import { type PaiEmulator, startEmulator } from "./index";
import { call, callError, client, validJob } from "./helpers";

const MIN = { NodeSpecs: [{ Type: "ml.gu7xf.8xlarge-gu108", Count: 2 }] };

void describe("PAIStudio quotas (manual clock)", () => {
  let emu: PaiEmulator;
  let c: OpenApi;
  let t = 1_900_000_000_000;
  before(async () => {
    emu = await startEmulator({
      now: () => t,
      timing: { quotaCreatingMs: 1000, jobCreatingMs: 1000, jobQueuingMs: 1000, jobRunningMs: 1000 },
    });
    c = client(emu);
  });
  after(() => emu.close());

  const create = (body: Record<string, unknown>) =>
    call(c, "paistudio", "CreateQuota", "POST", "/api/v1/quotas", { body });
  const get = (id: unknown) => call(c, "paistudio", "GetQuota", "GET", `/api/v1/quotas/${String(id)}`);
  const update = (id: unknown, body: Record<string, unknown>) =>
    call(c, "paistudio", "UpdateQuota", "PUT", `/api/v1/quotas/${String(id)}`, { body });
  const scale = (id: unknown, body: Record<string, unknown>) =>
    call(c, "paistudio", "ScaleQuota", "PUT", `/api/v1/quotas/${String(id)}/action/scale`, { body });
  const del = (id: unknown) => call(c, "paistudio", "DeleteQuota", "DELETE", `/api/v1/quotas/${String(id)}`);
  const list = (query: Record<string, string> = {}) =>
    call(c, "paistudio", "ListQuotas", "GET", "/api/v1/quotas/", { query });

  const refusals: [string, Record<string, unknown>, RegExp][] = [
    ["missing QuotaName", { Min: MIN }, /"QuotaName"/],
    ["a 64-character QuotaName", { QuotaName: "q".repeat(64), Min: MIN }, /"QuotaName"/],
    [
      "ResourceType in the wrong case",
      { QuotaName: "q", ResourceType: "lingjun", Min: MIN },
      /"ResourceType"/,
    ],
    ["missing Min", { QuotaName: "q" }, /"Min"/],
    ["empty NodeSpecs", { QuotaName: "q", Min: { NodeSpecs: [] } }, /"Min\.NodeSpecs"/],
    [
      "Count 0",
      { QuotaName: "q", Min: { NodeSpecs: [{ Type: "x", Count: 0 }] } },
      /"Min\.NodeSpecs\[0\]\.Count"/,
    ],
    [
      "the [SKILL] NodeSpec key instead of Type",
      { QuotaName: "q", Min: { NodeSpecs: [{ NodeSpec: "x", Count: 1 }] } },
      /"Min\.NodeSpecs\[0\]\.NodeSpec"/,
    ],
    ["a resource-amount Min", { QuotaName: "q", Min: { CPU: "8" } }, /"Min\.CPU"/],
    ["an unknown QueueStrategy", { QuotaName: "q", Min: MIN, QueueStrategy: "FIFO" }, /"QueueStrategy"/],
    ["a label without Key", { QuotaName: "q", Min: MIN, Labels: [{ Value: "v" }] }, /"Labels\[0\]\.Key"/],
    ["an unknown ParentQuotaId", { QuotaName: "q", Min: MIN, ParentQuotaId: "quotanope" }, /"ParentQuotaId"/],
  ];
  for (const [what, body, message] of refusals) {
    void it(`refuses CreateQuota with ${what}`, async () => {
      const err = await callError(create(body));
      assert.equal(err.statusCode, 400);
      assert.match(String(err.data.Message), message);
    });
  }

  void it("creates a quota that is Creating, then Ready; updates only when Ready; Labels are replaced", async () => {
    const { QuotaId } = await create({
      QuotaName: "train",
      ResourceType: "Lingjun",
      Min: MIN,
      Labels: [{ Key: "a", Value: "1" }],
    });
    assert.match(String(QuotaId), /^quota/);
    const fresh = await get(QuotaId);
    assert.equal(fresh.Status, "Creating");
    assert.deepEqual(fresh.Min, MIN);
    const early = await callError(update(QuotaId, { Description: "x" }));
    assert.equal(early.statusCode, 400);
    t += 1000;
    assert.equal((await get(QuotaId)).Status, "Ready");
    await update(QuotaId, { Labels: [{ Key: "b", Value: "2" }], Description: "d" });
    const updated = await get(QuotaId);
    assert.deepEqual(updated.Labels, [{ Key: "b", Value: "2" }]);
    assert.equal(updated.Description, "d");
    const badUpdate = await callError(update(QuotaId, { ResourceType: "ECS" }));
    assert.match(String(badUpdate.data.Message), /"ResourceType".*unknown field/);
  });

  void it("scales Min on PUT .../action/scale and validates it", async () => {
    const { QuotaId } = await create({ QuotaName: "scale-me", Min: MIN });
    t += 1000;
    const newMin = { NodeSpecs: [{ Type: "ml.gu7xf.8xlarge-gu108", Count: 4 }] };
    await scale(QuotaId, { Min: newMin });
    assert.deepEqual((await get(QuotaId)).Min, newMin);
    const bad = await callError(scale(QuotaId, { Min: { NodeSpecs: [{ Type: "x", Count: -1 }] } }));
    assert.match(String(bad.data.Message), /Count/);
    const missing = await callError(scale(QuotaId, {}));
    assert.match(String(missing.data.Message), /"Min"/);
  });

  void it("refuses deleting a quota that an unfinished job uses; deletes it once the job finished", async () => {
    const { QuotaId } = await create({ QuotaName: "busy", Min: MIN });
    t += 1000;
    await call(c, "dlc", "CreateJob", "POST", "/api/v1/jobs", {
      body: validJob({
        ResourceId: QuotaId,
        JobSpecs: [{ Type: "Worker", Image: "i", PodCount: 1, ResourceConfig: { CPU: "4", Memory: "16Gi" } }],
      }),
    });
    const refused = await callError(del(QuotaId));
    assert.equal(refused.statusCode, 400);
    assert.match(String(refused.data.Message), /unfinished jobs/);
    t += 3000; // job Succeeded
    await del(QuotaId);
    const gone = await callError(get(QuotaId));
    assert.equal(gone.statusCode, 404);
    assert.equal(emu.quotas().find((q) => q.QuotaId === QuotaId)?.deleted, true);
    assert.ok(!((await list()).Quotas as { QuotaId: string }[]).some((q) => q.QuotaId === QuotaId));
  });

  void it("lists quotas by QuotaName, ResourceType, Statuses and ParentQuotaId", async () => {
    const root = await create({ QuotaName: "lq-root", ResourceType: "ECS", Min: MIN });
    const child = await create({
      QuotaName: "lq-child",
      ResourceType: "ECS",
      Min: MIN,
      ParentQuotaId: root.QuotaId,
    });
    const ids = (b: Record<string, unknown>) =>
      (b.Quotas as { QuotaId: string }[]).map((q) => q.QuotaId).sort();
    assert.deepEqual(ids(await list({ QuotaName: "lq-" })), [root.QuotaId, child.QuotaId].sort());
    assert.deepEqual(ids(await list({ QuotaName: "lq-", ParentQuotaId: "" })), [root.QuotaId]);
    assert.deepEqual(ids(await list({ ParentQuotaId: String(root.QuotaId) })), [child.QuotaId]);
    assert.deepEqual(ids(await list({ QuotaName: "lq-", Statuses: "Ready" })), []);
    assert.deepEqual(ids(await list({ QuotaName: "lq-", ResourceType: "Lingjun" })), []);
    const err = await callError(list({ ResourceType: "GPU" }));
    assert.match(String(err.data.Message), /"ResourceType"/);
    const parentDelete = await callError(del(root.QuotaId));
    assert.match(String(parentDelete.data.Message), /sub-quotas/);
  });
});
