// setPrices on small hand-written catalogs: every layout a price can be added to or replaced in,
// the verification guard, and the atomic write.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { type Price } from "../../infra/catalog";
import { CatalogEditError, setPrices, verifyEdit, writeFileAtomic } from "../../infra/pricing";

const HEAD = `# top comment
shared: &gpu { gpuModel: A10, gpuMemoryGiB: 24 }
instances:
`;
const BASE = "gpuCount: 1, vcpu: 8, memoryGiB: 30, usage: [dlc, eas], source: s";

const price = (amount: number): Price => ({
  amount,
  currency: "CNY",
  per: "hour",
  kind: "official-list",
  date: "2026-12-01",
  source: "ECS DescribePrice cn-hangzhou 2026-12-01",
});

const FLOW_PRICE = (indent: string, amount: number) =>
  [
    `${indent}price:`,
    `${indent}  {`,
    `${indent}    amount: ${amount},`,
    `${indent}    currency: CNY,`,
    `${indent}    per: hour,`,
    `${indent}    kind: official-list,`,
    `${indent}    date: "2026-12-01",`,
    `${indent}    source: "ECS DescribePrice cn-hangzhou 2026-12-01",`,
    `${indent}  },`,
  ].join("\n");

describe("setPrices", () => {
  it("adds a price to a block mapping after its last pair, keeping a trailing comment", () => {
    const text = `${HEAD}  - id: ecs.a
    <<: *gpu
    gpuCount: 1
    vcpu: 8
    memoryGiB: 30
    usage: [dlc, eas]
    source: s # why
  - { id: ecs.b, <<: *gpu, ${BASE} }
`;
    const out = setPrices("t.yaml", text, new Map([["ecs.a", price(1.5)]]));
    assert.equal(
      out,
      `${HEAD}  - id: ecs.a
    <<: *gpu
    gpuCount: 1
    vcpu: 8
    memoryGiB: 30
    usage: [dlc, eas]
    source: s
    price:
      amount: 1.5
      currency: CNY
      per: hour
      kind: official-list
      date: "2026-12-01"
      source: "ECS DescribePrice cn-hangzhou 2026-12-01" # why
  - { id: ecs.b, <<: *gpu, ${BASE} }
`,
    );
  });

  it("replaces an existing block price, keeping the following entry intact", () => {
    const text = `${HEAD}  - id: ecs.a
    <<: *gpu
    gpuCount: 1
    vcpu: 8
    memoryGiB: 30
    usage: [dlc, eas]
    source: s
    price:
      amount: 15
      currency: CNY
      per: hour
      kind: unverified
      date: "2026-11-28"
      source: "someone said so"
  # next
  - { id: ecs.b, <<: *gpu, ${BASE} }
`;
    const out = setPrices("t.yaml", text, new Map([["ecs.a", price(2)]]));
    assert.ok(out.includes('      kind: official-list\n      date: "2026-12-01"'));
    assert.ok(
      out.endsWith(
        `      source: "ECS DescribePrice cn-hangzhou 2026-12-01"\n  # next\n  - { id: ecs.b, <<: *gpu, ${BASE} }\n`,
      ),
    );
  });

  it("breaks a one-line flow mapping the way Prettier does and replaces a flow price in place", () => {
    const text = `${HEAD}  - { id: ecs.b, <<: *gpu, ${BASE} }\n`;
    const once = setPrices("t.yaml", text, new Map([["ecs.b", price(3)]]));
    const expected = `${HEAD}  - {
      id: ecs.b,
      <<: *gpu,
      gpuCount: 1,
      vcpu: 8,
      memoryGiB: 30,
      usage: [dlc, eas],
      source: s,
${FLOW_PRICE("      ", 3)}
    }
`;
    assert.equal(once, expected);
    const twice = setPrices("t.yaml", once, new Map([["ecs.b", price(4.25)]]));
    assert.equal(twice, expected.replace("amount: 3,", "amount: 4.25,"));
  });

  it("inserts into a multi-line flow mapping after its trailing comma", () => {
    const text = `${HEAD}  - {\n      id: ecs.c,\n      <<: *gpu,\n      ${BASE.replace(/, (?=\w+:)/g, ",\n      ")},\n    }\n`;
    const out = setPrices("t.yaml", text, new Map([["ecs.c", price(7)]]));
    assert.ok(out.includes(`      source: s,\n${FLOW_PRICE("      ", 7)}\n    }\n`), out);
  });

  it("names ids it cannot find and refuses edits that change anything else", () => {
    const text = `${HEAD}  - { id: ecs.b, <<: *gpu, ${BASE} }\n`;
    assert.throws(
      () => setPrices("t.yaml", text, new Map([["ecs.zz", price(1)]])),
      /no instance mapping found for ecs\.zz/,
    );
    const tampered = text.replace("vcpu: 8", "vcpu: 9");
    assert.throws(() => verifyEdit("t.yaml", text, tampered, new Map()), CatalogEditError);
    const otherKey = text.replace("gpuMemoryGiB: 24", "gpuMemoryGiB: 48");
    assert.throws(
      () => verifyEdit("t.yaml", text, otherKey, new Map()),
      /changed outside its price|other than instances/,
    );
  });
});

describe("writeFileAtomic", () => {
  it("replaces the file, or leaves everything as it was when the rename fails", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pai-atomic-"));
    try {
      const file = path.join(dir, "a.yaml");
      fs.writeFileSync(file, "old\n");
      writeFileAtomic(file, "new\n");
      assert.equal(fs.readFileSync(file, "utf8"), "new\n");
      // A directory in the way makes the final rename fail half-way: the temp file is removed.
      const blocked = path.join(dir, "blocked");
      fs.mkdirSync(path.join(blocked, "x"), { recursive: true });
      assert.throws(() => writeFileAtomic(blocked, "text"));
      assert.deepEqual(fs.readdirSync(dir).sort(), ["a.yaml", "blocked"]);
      assert.deepEqual(fs.readdirSync(blocked), ["x"]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
