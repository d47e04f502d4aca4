import assert from "node:assert/strict";
import { test } from "node:test";
import {
  CatalogError,
  loadCatalog,
  CatalogModelSchema,
  parameterCount,
  parseCatalogFile,
} from "../../infra/catalog";

const catalog = loadCatalog();

test("every model's derived parameter count is within 3% of its model card", () => {
  for (const m of catalog.models.values()) {
    if (m.paramsCardB === undefined) continue;
    const derived = parameterCount(m) / 1e9;
    assert.ok(
      Math.abs(derived / m.paramsCardB - 1) < 0.03,
      `${m.id}: derived ${derived.toFixed(2)}B vs card ${m.paramsCardB}B`,
    );
  }
});

test("derived counts match docs/sources.md#mem-7 [derived] column", () => {
  const expected: Record<string, number> = {
    "qwen-7b": 7.72e9,
    "qwen-72b": 72.29e9,
    "qwen2.5-7b": 7.62e9,
    "qwen2.5-32b": 32.76e9,
    "llama-2-70b": 68.98e9,
    "llama-3-8b": 8.03e9,
  };
  for (const [id, n] of Object.entries(expected)) {
    const got = parameterCount(catalog.model(id));
    assert.ok(Math.abs(got / n - 1) < 0.001, `${id}: ${got} vs ${n}`);
  }
});

test("required families and ids are present", () => {
  for (const id of [
    "qwen-1.8b",
    "qwen-14b",
    "qwen1.5-7b-chat",
    "qwen2.5-72b-instruct",
    "chatglm3-6b",
    "baichuan2-13b-chat",
    "gemma-7b-it",
    "mixtral-8x7b-instruct-v0.1",
    "llama-2-70b-chat",
    "llama-3.1-8b-instruct",
    "llama-3.2-3b",
  ])
    assert.ok(catalog.models.has(id), id);
  assert.equal(catalog.model("mixtral-8x7b-v0.1").numExperts, 8);
  assert.equal(catalog.model("qwen-7b").hfIntermediateSize, 2 * catalog.model("qwen-7b").intermediateSize);
});

test("a broken data file names the file, the key path and what was expected", () => {
  const yaml = "models:\n  - { id: a-model, family: x, variant: base, hiddenSize: big }\n";
  assert.throws(
    () => parseCatalogFile("models.yaml", yaml, "models", CatalogModelSchema),
    (e: Error) => {
      assert.ok(e instanceof CatalogError);
      assert.match(e.message, /^models\.yaml: models\[0\]\.hiddenSize: .*number/i);
      return true;
    },
  );
});

test("unknown keys are errors (strict schemas)", () => {
  const m = { ...catalog.model("qwen2.5-7b"), hiddenSise: 1 };
  assert.equal(CatalogModelSchema.safeParse(m).success, false);
});

test("unknown ids list close ids; extra entries override", () => {
  assert.throws(() => catalog.model("qwen2.5-7b-instrct"), /did you mean .*qwen2\.5-7b-instruct/);
  const t = catalog.instance("ecs.gn7i-c8g1.2xlarge");
  const c = loadCatalog({
    instances: [
      {
        ...t,
        price: { amount: 9, currency: "CNY", per: "hour", kind: "user", date: "2026-11-28", source: "me" },
      },
    ],
  });
  assert.equal(c.instance(t.id).price?.amount, 9);
  assert.equal(loadCatalog().instance(t.id).price?.amount, 15, "the cached base catalog is not mutated");
});

test("every price carries currency, date, kind and source", () => {
  for (const t of catalog.instances.values()) {
    if (!t.price) continue;
    assert.ok(t.price.source.length > 0 && /^\d{4}-\d{2}-\d{2}$/.test(t.price.date), t.id);
    assert.notEqual(
      t.price.kind,
      "official-list",
      `${t.id}: no official list price was found (docs/sources.md#gpu-4.1)`,
    );
  }
});
