// setRegionalPrices on small hand-written price files: replace in place, add after the instance's
// last entry or at the end, Prettier's layout, the verification guard; and the atomic write.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import * as prettier from "prettier";
import { parsePricesFile, type RegionalPrice } from "../../infra/catalog";
import { PricesEditError, setRegionalPrices, verifyPricesEdit, writeFileAtomic } from "../../infra/pricing";

const TEXT = `# top comment
sources:
  snap: &snap { currency: CNY, per: hour, kind: official-list, date: "2024-12-30", source: "price file" }

prices:
  # ecs.a: 1 x A10
  - { <<: *snap, instance: ecs.a, region: cn-hangzhou, amount: 9.5 }
  - { <<: *snap, instance: ecs.a, region: cn-shanghai, amount: 9.5 } # trailing comment
  # ecs.b: 1 x T4
  - { <<: *snap, instance: ecs.b, region: cn-hangzhou, amount: 11.63 }
`;

const fresh = (
  instance: string,
  region: string,
  amount: number,
  source = "ECS DescribePrice",
): RegionalPrice => ({
  instance,
  region,
  amount,
  currency: "CNY",
  per: "hour",
  kind: "official-list",
  date: "2026-12-01",
  source,
});

const byKey = (text: string) =>
  new Map(parsePricesFile("t.yaml", text).map((p) => [`${p.instance}@${p.region}`, p]));

describe("setRegionalPrices", () => {
  it("replaces an entry in place, keeping comments, the anchor and the other entries", () => {
    const out = setRegionalPrices("t.yaml", TEXT, [fresh("ecs.a", "cn-shanghai", 10.25)]);
    assert.equal(byKey(out).get("ecs.a@cn-shanghai")?.amount, 10.25);
    assert.equal(byKey(out).get("ecs.a@cn-shanghai")?.source, "ECS DescribePrice");
    assert.deepEqual(byKey(out).get("ecs.a@cn-hangzhou"), byKey(TEXT).get("ecs.a@cn-hangzhou"));
    for (const line of TEXT.split("\n").filter((l) => l.includes("#"))) {
      if (!line.includes("cn-shanghai")) assert.ok(out.includes(line), `lost: ${line}`);
    }
    assert.ok(out.includes("# trailing comment"));
    assert.equal(byKey(out).size, 3);
  });

  it("adds a new region after the instance's last entry, and a new instance at the end", () => {
    const out = setRegionalPrices("t.yaml", TEXT, [
      fresh("ecs.a", "cn-beijing", 9.6),
      fresh("ecs.c", "cn-hangzhou", 20),
    ]);
    const lines = out.split("\n");
    const a = lines.findIndex((l) => l.includes("ecs.a, region: cn-beijing"));
    assert.ok(a < 0, "a full entry does not fit on one line");
    const at = lines.findIndex((l) => l.includes("region: cn-beijing"));
    assert.ok(lines[at - 3]!.includes("ecs.a, region: cn-shanghai, amount: 9.5 } # trailing comment"), out);
    assert.ok(lines.slice(at).findIndex((l) => l.startsWith("  # ecs.b")) > 0, out);
    assert.ok(
      lines.findIndex((l) => l.includes("instance: ecs.c")) > lines.findIndex((l) => l.includes("ecs.b")),
    );
    assert.equal(byKey(out).size, 5);
  });

  it("writes what Prettier would: one line when it fits, one pair per line when not", async () => {
    const long = fresh(
      "ecs.a",
      "cn-hangzhou",
      9.7,
      "ECS DescribePrice cn-hangzhou 2026-12-01 (whole quote incl. default system disk)",
    );
    const out = setRegionalPrices("t.yaml", TEXT, [long, fresh("ecs.b", "cn-beijing", 1)]);
    assert.ok(await prettier.check(out, { printWidth: 110, parser: "yaml" }), out);
    assert.deepEqual(byKey(out).get("ecs.a@cn-hangzhou"), long);
    // Replacing a broken entry again works too.
    const again = setRegionalPrices("t.yaml", out, [fresh("ecs.a", "cn-hangzhou", 3)]);
    assert.equal(byKey(again).get("ecs.a@cn-hangzhou")?.amount, 3);
    assert.ok(await prettier.check(again, { printWidth: 110, parser: "yaml" }), again);
  });

  it("the guard refuses a result that changed anything else", () => {
    const other = TEXT.replace("amount: 11.63", "amount: 12");
    assert.throws(() => verifyPricesEdit("t.yaml", TEXT, other, []), PricesEditError);
    const sources = TEXT.replace('source: "price file"', 'source: "x"');
    assert.throws(
      () => verifyPricesEdit("t.yaml", TEXT, sources, []),
      (e: Error) => e instanceof PricesEditError,
    );
    assert.throws(() => setRegionalPrices("t.yaml", "prices: [", []), PricesEditError);
    assert.throws(() => setRegionalPrices("t.yaml", TEXT, [fresh("ecs.a", "cn-hangzhou", Number.NaN)]));
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
