/**
 * The HTML review in a real headless Chromium (Debian's `chromium` package, driven by playwright-core,
 * which downloads nothing): it loads from file:// with no console error and no network request, both
 * charts are Chart.js instances that drew pixels, hostile strings show as text and never run, and a
 * screenshot is saved (its path is printed as a test diagnostic).
 *
 * No browser: fails under CI (env CI set, as `.ci/run` installs chromium first), skips elsewhere with
 * a message saying how to install it. CHROMIUM_PATH overrides /usr/bin/chromium.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { chromium, type BrowserContext } from "playwright-core";
import { runOfflinePlan } from "../../infra/plan";
import { renderHtml } from "../../infra/review/html";
import { buildReview, type PlanResult } from "../../infra/review/model";
import { scratchDir } from "../helpers/stack-files";
import { devWithUserPrice, policyOutcome } from "./fixtures";

const ROOT = path.resolve(__dirname, "..", "..");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const HAVE_BROWSER = fs.existsSync(CHROMIUM);
const IN_CI = Boolean(process.env.CI) && process.env.CI !== "false";
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

const skip =
  !HAVE_BROWSER && !IN_CI
    ? `no Chromium at ${CHROMIUM}: install it (apt-get install -y chromium) or set CHROMIUM_PATH; skipped outside CI`
    : false;

/** Each Chart.js instance's type, labels and data, and how many canvas pixels it painted. */
const IN_PAGE_CHARTS = `(window.reviewCharts || []).map(function (c) {
  var w = c.canvas.width, h = c.canvas.height;
  var px = c.canvas.getContext("2d").getImageData(0, 0, w, h).data;
  var painted = 0, colored = 0;
  for (var i = 0; i < px.length; i += 4) {
    if (px[i + 3] === 0) continue;
    painted++;
    // A bar fill is clearly blue, green, amber or red, not the grey of axes, grid and text.
    if (Math.max(px[i], px[i + 1], px[i + 2]) - Math.min(px[i], px[i + 1], px[i + 2]) > 80) colored++;
  }
  return { type: c.config.type, labels: c.data.labels,
    data: c.data.datasets.map(function (d) { return d.data; }), painted: painted, colored: colored };
})`;

interface PageResult {
  problems: string[];
  dialogs: string[];
  charts: { type: string; labels: string[]; data: (number | null)[][]; painted: number; colored: number }[];
  text: string;
  images: number;
  screenshot: string;
}

describe("review HTML in headless Chromium", { skip }, () => {
  const scratch = scratchDir();
  const shots = fs.mkdtempSync(path.join(os.tmpdir(), "pai-review-shots-"));
  let ctx: BrowserContext;
  let userDataDir: string;

  before(async () => {
    assert.ok(
      HAVE_BROWSER,
      `CI=${process.env.CI}: the browser test needs Chromium at ${CHROMIUM} (.ci/run installs it)`,
    );
    userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), "pai-review-chromium-"));
    ctx = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: FLAGS,
      viewport: { width: 1400, height: 1000 },
    });
  });

  after(async () => {
    await ctx?.close();
    if (userDataDir) fs.rmSync(userDataDir, { recursive: true, force: true });
    scratch.cleanup();
  });

  async function load(file: string, name: string): Promise<PageResult> {
    const page = await ctx.newPage();
    const problems: string[] = [];
    const dialogs: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") problems.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    page.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    // Anything but the file itself would be a network dependency: record it and refuse it.
    await page.route(
      (url) => url.protocol !== "file:",
      async (route) => {
        problems.push(`request: ${route.request().url()}`);
        await route.abort();
      },
    );
    await page.goto(`file://${file}`, { waitUntil: "load" });
    // Runs in the page (plain JavaScript: this project compiles without DOM types).
    const charts = await page.evaluate<PageResult["charts"]>(IN_PAGE_CHARTS);
    const text = await page.evaluate<string>("document.body.innerText");
    const images = await page.evaluate<number>(
      'document.querySelectorAll("img, iframe, object, embed, svg").length',
    );
    const screenshot = path.join(shots, `${name}.png`);
    await page.screenshot({ path: screenshot, fullPage: true });
    await page.close();
    return { problems, dialogs, charts, text, images, screenshot };
  }

  it("a review with hostile strings and policy verdicts: no errors, no network, two drawn charts, text stays text", async (t) => {
    const stack = scratch.write("Pulumi.dev-hostile.yaml", devWithUserPrice());
    const plan = (await runOfflinePlan(stack, "dev-hostile")) as PlanResult;
    const review = buildReview({ ...plan, policy: policyOutcome() });
    review.stack = `dev "<script>alert('stack')</script>`;
    const file = scratch.write("review.html", renderHtml(review));
    const r = await load(file, "hostile");
    t.diagnostic(`screenshot: ${r.screenshot}`);

    assert.deepEqual(r.problems, []);
    assert.deepEqual(r.dialogs, [], "no injected script ran");
    assert.equal(r.images, 0, "no injected element");
    assert.ok(r.text.includes(`<script>alert("x")</script><img src=x onerror=alert(1)>`), "shown as text");
    assert.ok(r.text.includes(`dev "<script>alert('stack')</script>`));
    assert.ok(r.text.includes("policy") && r.text.includes("gpu-memory-cap"));

    assert.equal(r.charts.length, 2);
    const [cost, memory] = r.charts as [PageResult["charts"][0], PageResult["charts"][0]];
    assert.equal(cost.type, "bar");
    assert.deepEqual(cost.data, [review.items.map((i) => i.cost?.amount ?? null)]);
    assert.deepEqual(memory.data, [
      review.items.map((i) => i.memory.needGiB),
      review.items.map((i) => i.memory.usableGiB),
    ]);
    for (const c of [cost, memory]) {
      assert.ok(c.painted > 5000, `chart drew ${c.painted} pixels`);
      assert.ok(c.colored > 2000, `chart drew ${c.colored} coloured bar pixels`);
    }
  });

  it("`npm run review -- --stack prod --format html --out <file>` renders the same way", async (t) => {
    const out = path.join(scratch.dir, "prod.html");
    const cli = spawnSync(
      process.execPath,
      [
        "--import",
        "tsx",
        path.join(ROOT, "infra/cli/review.ts"),
        "--stack",
        "prod",
        "--format",
        "html",
        "--out",
        out,
      ],
      { cwd: ROOT, encoding: "utf8" },
    );
    assert.ok(cli.status === 0 || cli.status === 1, cli.stderr);
    const r = await load(out, "prod");
    t.diagnostic(`screenshot: ${r.screenshot}`);
    assert.deepEqual(r.problems, []);
    assert.equal(r.charts.length, 2);
    const memory = r.charts[1]!;
    assert.ok(memory.colored > 2000, `memory chart drew ${memory.colored} coloured pixels`);
    assert.ok(r.text.includes("pai-finetune review of stack prod"));
  });
});
