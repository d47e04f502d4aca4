// `npm run prices` and `--refresh` against a local DescribePrice server and a COPY of prices.yaml.
// Only 127.0.0.1 is contacted: the default credential chain is pointed at an empty HOME with the ECS
// metadata lookup disabled, and ECS_ENDPOINT points at the local server.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import * as prettier from "prettier";
import { main, type PricesIo } from "../../infra/cli/prices";
import { staticCredentialSource } from "../../infra/pai/credentials";
import { loadCatalog, parsePricesFile, type Price, type RegionalPrice } from "../../infra/catalog";
import { TEST_AK, TEST_SECRET, startPriceServer, type Quote } from "./price-server";

const REPO = path.resolve(__dirname, "..", "..");
const PRICES = path.join(REPO, "infra", "catalog", "prices.yaml");
const REGION = "cn-shanghai";
const TODAY = "2026-12-01";
const USER_ID = "ecs.gn6e-c12g1.3xlarge"; // made kind: user in cn-shanghai in the copy
const FAILING_ID = "ecs.gn7e-c16g1.4xlarge";

const original = fs.readFileSync(PRICES, "utf8");
const instances = [...loadCatalog().instances.values()];
const ecsTargets = instances.filter((t) => t.id.startsWith("ecs.") && t.id !== USER_ID).map((t) => t.id);
const mlIds = instances.filter((t) => t.id.startsWith("ml.")).map((t) => t.id);

/** The price file with one cn-shanghai price turned into a user price (refresh must never touch it). */
function pricesCopyText(): string {
  const entry = `<<: *priceFile2024, instance: ${USER_ID}, region: ${REGION},`;
  assert.ok(original.includes(entry));
  return original.replace(entry, `<<: *priceFile2024, kind: user, instance: ${USER_ID}, region: ${REGION},`);
}

/** Quotes for every ECS target: 10.5, 11.5, ... */
function allQuotes(): Record<string, Quote> {
  return Object.fromEntries(ecsTargets.map((id, i) => [id, { amount: 10.5 + i }]));
}

function scratch() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pai-prices-"));
  const file = path.join(dir, "prices.yaml");
  fs.writeFileSync(file, pricesCopyText());
  return { dir, file, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Every entry of the file outside `region`, by instance@region. */
function otherRegions(text: string, region = REGION): Map<string, RegionalPrice> {
  return new Map(
    parsePricesFile("p.yaml", text)
      .filter((p) => p.region !== region)
      .map((p) => [`${p.instance}@${p.region}`, p]),
  );
}

function io(env: NodeJS.ProcessEnv) {
  const out: string[] = [];
  const err: string[] = [];
  const value: PricesIo = {
    out: (s) => out.push(s),
    err: (s) => err.push(s),
    env,
    today: () => TODAY,
    credentials: staticCredentialSource(TEST_AK, TEST_SECRET),
  };
  return { io: value, out, err };
}

/** Each instance's price in `region` (without the instance field). */
function pricesOf(text: string, region = REGION): Map<string, Price> {
  return new Map(
    parsePricesFile("p.yaml", text)
      .filter((p) => p.region === region)
      .map(({ instance, ...price }) => [instance, price]),
  );
}

/** Runs the real CLI process (async, so the in-process server keeps answering). */
function runCli(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", path.join(REPO, "infra", "cli", "prices.ts"), ...args],
      {
        cwd: REPO,
        env,
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

/** An environment in which the default credential chain can only find what `extra` provides. */
function isolatedEnv(home: string, extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: home,
    USERPROFILE: home,
    ALIBABA_CLOUD_ECS_METADATA_DISABLED: "true",
    ALIBABA_CLOUD_CLI_PROFILE_DISABLED: "true",
    PAI_RETRY_MAX_ATTEMPTS: "1",
    ...extra,
  };
}

describe("prices listing", () => {
  it("lists every instance with its price and provenance, warning about missing ones", async () => {
    const s = scratch();
    try {
      const t = io({});
      assert.equal(await main(["--prices-file", s.file, "--region", REGION], t.io), 0);
      assert.match(t.out[0]!, /^instance\s+usage\s+price\s+kind\s+date\s+source$/);
      assert.equal(t.out.filter((l) => l.startsWith("ecs.") || l.startsWith("ml.")).length, instances.length);
      assert.ok(
        t.out.some((l) => /^warning: \d+ of 40 instance types have no price in cn-shanghai$/.test(l)),
      );
      assert.ok(t.out.some((l) => l.startsWith(USER_ID) && /\buser\b/.test(l)));
      assert.ok(
        t.out.some((l) => /^ecs\.gn7i-c8g1\.2xlarge .* 9\.5326 CNY\/h\s+official-list\s+2024-12-30/.test(l)),
      );

      const j = io({});
      assert.equal(await main(["--prices-file", s.file, "--json", "--region", REGION], j.io), 0);
      const rows = JSON.parse(j.out.join("\n")) as { id: string; price: Price | null; warnings: string[] }[];
      assert.equal(rows.length, instances.length);
      const missing = rows.find((r) => r.id === "ecs.gn8is.2xlarge")!;
      assert.equal(missing.price, null);
      assert.match(missing.warnings[0]!, /no price in cn-shanghai/);
      const elsewhere = rows.find((r) => r.id === "ecs.gn7i-c8g1.2xlarge")!;
      assert.equal(elsewhere.price?.region, REGION);
      assert.match(rows.find((r) => r.id === "ml.gu7i.c8m30.1-gu30")!.warnings[0]!, /upper bound/);

      // Across regions: counts, lowest and highest, and the types priced nowhere.
      const a = io({});
      assert.equal(await main(["--prices-file", s.file], a.io), 0);
      assert.match(a.out[0]!, /^instance\s+usage\s+regions\s+lowest\s+highest\s+kinds$/);
      assert.ok(
        a.out.some((l) =>
          /^ecs\.gn7i-c8g1\.2xlarge .* 16 +8\.5794 CNY\/h cn-heyuan +18\.496462 CNY\/h eu-central-1/.test(l),
        ),
      );
      assert.ok(
        a.out.some((l) =>
          /^warning: 17 of 40 instance types have no price in any region: .*ecs\.gn8is\.2xlarge/.test(l),
        ),
      );
    } finally {
      s.cleanup();
    }
  });

  it("bad flags, region, endpoint or catalog exit 2 before anything is fetched", async () => {
    const t = io({});
    assert.equal(await main(["--dry-run"], t.io), 2);
    assert.match(t.err[0]!, /--dry-run only applies with --refresh/);
    const u = io({});
    assert.equal(await main(["--prices-file", "/nonexistent/prices.yaml"], u.io), 2);
    assert.match(u.err[0]!, /cannot read prices file/);
    const l = io({});
    assert.equal(await main(["--region", "Hangzhou"], l.io), 2);
    assert.match(l.err[0]!, /invalid region "Hangzhou"/);
    const s = scratch();
    try {
      fs.writeFileSync(
        s.file,
        original.replace("instance: ecs.gn6i-c4g1.xlarge,", "instance: ecs.gn6i-nope,"),
      );
      const k = io({});
      assert.equal(await main(["--prices-file", s.file], k.io), 2);
      assert.match(k.err[0]!, /prices\[\d+\]\.instance: unknown instance type "ecs\.gn6i-nope"/);
      fs.writeFileSync(
        s.file,
        original.replace("region: cn-hangzhou, amount: 9.5326", "region: cn-hangzhou, amount: -1"),
      );
      const m = io({});
      assert.equal(await main(["--prices-file", s.file], m.io), 2);
      assert.match(m.err[0]!, /prices\[\d+\]\.amount/);
    } finally {
      s.cleanup();
    }
    const r = io({});
    assert.equal(await main(["--refresh", "--region", "Hangzhou", "--prices-file", PRICES], r.io), 2);
    assert.match(r.err[0]!, /invalid region "Hangzhou"/);
    const e = io({ ECS_ENDPOINT: "ftp://x" });
    assert.equal(await main(["--refresh", "--prices-file", PRICES], e.io), 2);
    assert.match(e.err[0]!, /ECS_ENDPOINT: invalid PAI endpoint/);
    const j = io({});
    assert.equal(await main(["--refresh", "--json", "--prices-file", PRICES], j.io), 2);
  });
});

describe("prices --refresh", () => {
  let server: Awaited<ReturnType<typeof startPriceServer>>;
  let quotes: Record<string, Quote>;

  before(async () => {
    quotes = allQuotes();
    server = await startPriceServer({ region: REGION, quotes });
  });
  after(async () => {
    await server.close();
  });

  const env = () => ({ ECS_ENDPOINT: server.url });

  it("rewrites only the price blocks of ECS DLC/EAS types, keeps comments, anchors and user prices", async () => {
    const s = scratch();
    try {
      const before = fs.readFileSync(s.file, "utf8");
      server.received.length = 0;
      const t = io(env());
      assert.equal(
        await main(["--refresh", "--region", REGION, "--prices-file", s.file], t.io),
        0,
        t.err.join("\n"),
      );
      assert.deepEqual(server.rejected, []);
      assert.deepEqual(server.received.map((r) => r.instanceType).sort(), [...ecsTargets].sort());

      const after = fs.readFileSync(s.file, "utf8");
      // Nothing but this region's prices changed; comments and anchors are all there.
      assert.deepEqual(otherRegions(after), otherRegions(before));
      for (const line of before.split("\n").filter((l) => l.trimStart().startsWith("#")))
        assert.ok(after.includes(line), `comment lost: ${line}`);
      for (const anchor of before.match(/&\w+/g) ?? []) assert.ok(after.includes(anchor));

      const oldPrices = pricesOf(before);
      const newPrices = pricesOf(after);
      ecsTargets.forEach((id, i) => {
        assert.deepEqual(newPrices.get(id), {
          amount: 10.5 + i, // the DetailInfo "instance" line, not the total with the system disk
          currency: "CNY",
          per: "hour",
          kind: "official-list",
          date: TODAY,
          source: `ECS DescribePrice ${REGION} ${TODAY}`,
          region: REGION,
        });
      });
      assert.equal(newPrices.get(USER_ID)?.kind, "user");
      assert.deepEqual(newPrices.get(USER_ID), oldPrices.get(USER_ID));
      for (const id of mlIds) assert.deepEqual(newPrices.get(id), oldPrices.get(id));
      for (const id of mlIds)
        assert.ok(t.out.includes(`skipped  no official price API known for ${id}; price left as is`), id);
      assert.ok(t.out.some((l) => l.includes(USER_ID) && /user-set price/.test(l)));

      // The result is already in the repository's Prettier style (format:check stays green).
      const config = (await prettier.resolveConfig(PRICES)) ?? {};
      assert.ok(await prettier.check(after, { ...config, parser: "yaml" }), "not Prettier-formatted");

      // A second refresh with the same prices and date changes nothing (flow-form prices are replaced in place).
      const again = io(env());
      assert.equal(await main(["--refresh", "--region", REGION, "--prices-file", s.file], again.io), 0);
      assert.equal(fs.readFileSync(s.file, "utf8"), after);
      assert.deepEqual(fs.readdirSync(s.dir), ["prices.yaml"]);
    } finally {
      s.cleanup();
    }
  });

  it("--dry-run fetches and reports but writes nothing", async () => {
    const s = scratch();
    try {
      const before = fs.readFileSync(s.file, "utf8");
      const t = io(env());
      const code = await main(["--refresh", "--region", REGION, "--dry-run", "--prices-file", s.file], t.io);
      assert.equal(code, 0);
      assert.match(t.out[t.out.length - 1]!, /dry run: would write \d+ prices .*nothing was written/);
      assert.equal(fs.readFileSync(s.file, "utf8"), before);
    } finally {
      s.cleanup();
    }
  });

  it("a partial failure writes nothing and exits 1 unless --allow-partial", async () => {
    const failing = ["ecs.gn7i-c32g1.8xlarge", FAILING_ID];
    const saved = failing.map((id) => quotes[id]);
    quotes["ecs.gn7i-c32g1.8xlarge"] = {
      error: {
        status: 400,
        code: "PriceNotFound",
        message: "The price of your queried resource is not available now.",
      },
    };
    delete quotes[FAILING_ID]; // → InvalidInstanceType.ValueNotSupported
    const s = scratch();
    try {
      const before = fs.readFileSync(s.file, "utf8");
      const t = io(env());
      assert.equal(await main(["--refresh", "--region", REGION, "--prices-file", s.file], t.io), 1);
      assert.equal(fs.readFileSync(s.file, "utf8"), before);
      assert.ok(
        t.err.some((l) => l.startsWith("failed   ecs.gn7i-c32g1.8xlarge:") && l.includes("PriceNotFound")),
      );
      assert.ok(
        t.err.some(
          (l) =>
            l.startsWith(`failed   ${FAILING_ID}:`) && l.includes("InvalidInstanceType.ValueNotSupported"),
        ),
      );
      assert.match(
        t.err[t.err.length - 1]!,
        /2 of \d+ fetches failed; nothing was written \(--allow-partial/,
      );

      const p = io(env());
      const code = await main(
        ["--refresh", "--region", REGION, "--allow-partial", "--prices-file", s.file],
        p.io,
      );
      assert.equal(code, 0);
      const after = fs.readFileSync(s.file, "utf8");
      assert.deepEqual(otherRegions(after), otherRegions(before));
      const oldPrices = pricesOf(before);
      const newPrices = pricesOf(after);
      for (const id of failing) assert.deepEqual(newPrices.get(id), oldPrices.get(id), id);
      assert.equal(newPrices.get(FAILING_ID)?.date, "2024-12-30");
      assert.equal(newPrices.get("ecs.gn7i-c8g1.2xlarge")?.kind, "official-list");
      assert.ok(p.err.some((l) => /warning: 2 fetches failed/.test(l)));
    } finally {
      failing.forEach((id, i) => (quotes[id] = saved[i]!));
      s.cleanup();
    }
  });

  it("--only limits the fetch; ml.* and kind: user are skipped without a call; unknown ids exit 2", async () => {
    const s = scratch();
    try {
      const before = fs.readFileSync(s.file, "utf8");
      server.received.length = 0;
      const t = io(env());
      const only = ["ml.gu7i.c8m30.1-gu30", USER_ID].join(",");
      assert.equal(
        await main(["--refresh", "--region", REGION, "--only", only, "--prices-file", s.file], t.io),
        0,
      );
      assert.equal(server.received.length, 0);
      assert.equal(fs.readFileSync(s.file, "utf8"), before);
      assert.deepEqual(t.out, [
        `skipped  ${USER_ID} has a user-set price (kind: user); left as is`,
        "skipped  no official price API known for ml.gu7i.c8m30.1-gu30; price left as is",
        "prices: nothing to refresh; nothing was written",
      ]);

      const one = io(env());
      const code = await main(
        ["--refresh", "--region", REGION, "--only", "ecs.gn6i-c4g1.xlarge", "--prices-file", s.file],
        one.io,
      );
      assert.equal(code, 0);
      assert.deepEqual(
        server.received.map((r) => r.instanceType),
        ["ecs.gn6i-c4g1.xlarge"],
      );
      const changed = [...pricesOf(fs.readFileSync(s.file, "utf8"))].filter(
        ([id, p]) => JSON.stringify(p) !== JSON.stringify(pricesOf(before).get(id)),
      );
      assert.deepEqual(
        changed.map(([id]) => id),
        ["ecs.gn6i-c4g1.xlarge"],
      );

      const bad = io(env());
      assert.equal(await main(["--refresh", "--only", "ecs.nope", "--prices-file", s.file], bad.io), 2);
      assert.match(bad.err[0]!, /unknown instance type ecs\.nope/);
    } finally {
      s.cleanup();
    }
  });

  it("falls back to the whole quote when there is no instance line, and refuses unknown currencies", async () => {
    const saved = { a: quotes["ecs.gn6i-c4g1.xlarge"]!, b: quotes["ecs.gn6v-c8g1.2xlarge"]! };
    quotes["ecs.gn6i-c4g1.xlarge"] = { amount: 3, noDetail: true };
    quotes["ecs.gn6v-c8g1.2xlarge"] = { amount: 3, currency: "JPY" };
    const s = scratch();
    try {
      const t = io(env());
      const only = "ecs.gn6i-c4g1.xlarge,ecs.gn6v-c8g1.2xlarge";
      const code = await main(
        ["--refresh", "--region", REGION, "--only", only, "--allow-partial", "--prices-file", s.file],
        t.io,
      );
      assert.equal(code, 0);
      const p = pricesOf(fs.readFileSync(s.file, "utf8")).get("ecs.gn6i-c4g1.xlarge")!;
      assert.equal(p.amount, 3.04); // instance + system disk
      assert.equal(p.source, `ECS DescribePrice ${REGION} ${TODAY} (whole quote incl. default system disk)`);
      assert.ok(
        t.err.some(
          (l) => l.startsWith("failed   ecs.gn6v-c8g1.2xlarge:") && /unsupported currency "JPY"/.test(l),
        ),
      );
    } finally {
      quotes["ecs.gn6i-c4g1.xlarge"] = saved.a;
      quotes["ecs.gn6v-c8g1.2xlarge"] = saved.b;
      s.cleanup();
    }
  });

  it("the real process: no credentials → exit 2 with one line, nothing written, no request sent", async () => {
    const s = scratch();
    try {
      const before = fs.readFileSync(s.file, "utf8");
      server.received.length = 0;
      const r = await runCli(
        ["--refresh", "--region", REGION, "--prices-file", s.file],
        isolatedEnv(s.dir, env()),
      );
      assert.equal(r.status, 2, r.stderr);
      const lines = r.stderr.trim().split("\n");
      assert.equal(lines.length, 1);
      assert.match(lines[0]!, /no Alibaba Cloud credentials found/);
      assert.match(lines[0]!, /ALIBABA_CLOUD_ACCESS_KEY_ID/);
      assert.match(lines[0]!, /profile/);
      assert.match(lines[0]!, /RAM role/);
      assert.equal(r.stdout, "");
      assert.equal(server.received.length + server.rejected.length, 0);
      assert.equal(fs.readFileSync(s.file, "utf8"), before);
      assert.deepEqual(fs.readdirSync(s.dir), ["prices.yaml"]);
    } finally {
      s.cleanup();
    }
  });

  it("the real process: env credentials and ECS_ENDPOINT → signed requests, file rewritten, exit 0", async () => {
    const s = scratch();
    try {
      const r = await runCli(
        ["--refresh", "--region", REGION, "--only", "ecs.gn7i-c16g1.4xlarge", "--prices-file", s.file],
        isolatedEnv(s.dir, {
          ...env(),
          ALIBABA_CLOUD_ACCESS_KEY_ID: TEST_AK,
          ALIBABA_CLOUD_ACCESS_KEY_SECRET: TEST_SECRET,
        }),
      );
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(server.rejected, []);
      const p = pricesOf(fs.readFileSync(s.file, "utf8")).get("ecs.gn7i-c16g1.4xlarge")!;
      assert.equal(p.kind, "official-list");
      assert.match(p.date, /^\d{4}-\d{2}-\d{2}$/);
      assert.equal(p.source, `ECS DescribePrice ${REGION} ${p.date}`);
      assert.match(r.stdout, /wrote 1 prices \(cn-shanghai\)/);
    } finally {
      s.cleanup();
    }
  });
});
