/**
 * Scale of the offline plan: a generated stack with 10, 100 and 1,000 fine-tune jobs (and a service
 * per ten jobs). For each size: wall time and peak memory of the plan, next to the bare SDK mock
 * runtime registering the same resources. Target: under 1.3× the bare runtime, linear growth.
 *
 *   npx tsx bench/plan-scale.ts [--sizes 10,100,1000] [--json]
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse, stringify } from "yaml";

const ROOT = path.resolve(__dirname, "..");
const OUT = path.join(ROOT, "bench", "out");

interface Run {
  ms: number;
  maxRssMiB: number;
  resources: number;
}

/** A stack with `jobs` jobs and jobs/10 services, built from the dev stack's first job and service. */
function generateStack(jobs: number): string {
  const dev: { config: Record<string, any> } = parse(
    fs.readFileSync(path.join(ROOT, "stacks", "Pulumi.dev.yaml"), "utf8"),
  ) as {
    config: Record<string, any>;
  };
  const c = dev.config;
  const job = c["pai-finetune:jobs"][0];
  const svc = c["pai-finetune:services"][0];
  // structuredClone: shared objects would become YAML anchors and aliases.
  c["pai-finetune:jobs"] = Array.from({ length: jobs }, (_, i) => ({
    ...structuredClone(job),
    name: `job-${String(i).padStart(4, "0")}`,
    dataset: { ...job.dataset, path: `tv-intents/shard-${i}/train.jsonl` },
  }));
  c["pai-finetune:services"] = Array.from({ length: Math.max(1, Math.floor(jobs / 10)) }, (_, i) => ({
    ...structuredClone(svc),
    name: `svc_${String(i).padStart(4, "0")}`,
    model: { fromJob: `job-${String(i).padStart(4, "0")}` },
  }));
  return stringify(dev);
}

function child(args: string[]): Run {
  const out = execFileSync(
    process.execPath,
    ["--import", "tsx", path.join(ROOT, "bench", "plan-scale-child.ts"), ...args],
    {
      cwd: ROOT,
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  return JSON.parse(out.trim().split("\n").pop()!) as Run;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function main(): void {
  const argv = process.argv.slice(2);
  const sizesArg = argv.includes("--sizes") ? argv[argv.indexOf("--sizes") + 1]! : "10,100,1000";
  const sizes = sizesArg.split(",").map(Number);
  const repeats = 3;
  fs.mkdirSync(OUT, { recursive: true });
  const rows = [];
  for (const n of sizes) {
    const file = path.join(OUT, `Pulumi.scale-${n}.yaml`);
    const graph = path.join(OUT, `graph-${n}.json`);
    fs.writeFileSync(file, generateStack(n));
    const resources = child(["record", file, graph]).resources;
    const runs: Record<"plan" | "bare" | "flat", Run[]> = { plan: [], bare: [], flat: [] };
    for (let r = 0; r < repeats; r++) {
      runs.plan.push(child(["plan", file]));
      runs.bare.push(child(["bare", graph]));
      runs.flat.push(child(["bare", graph, "flat"]));
    }
    const summary = (xs: Run[]) => ({
      ms: median(xs.map((x) => x.ms)),
      rss: median(xs.map((x) => x.maxRssMiB)),
    });
    const plan = summary(runs.plan);
    const bare = summary(runs.bare);
    const flat = summary(runs.flat);
    rows.push({
      jobs: n,
      services: Math.max(1, Math.floor(n / 10)),
      resources,
      plan,
      bare,
      flat,
      ratio: plan.ms / bare.ms,
    });
  }
  if (argv.includes("--json")) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  console.log(
    `Offline plan scale (median of ${repeats} runs, each in a fresh process; Node ${process.version})`,
  );
  console.log(
    "bare = the SDK mock runtime registering the same resources (types, names, inputs, parents, dependencies)",
  );
  console.log("flat = the same without parents and dependencies\n");
  console.log(
    "jobs  services  resources  plan ms  plan MiB  bare ms  bare MiB  flat ms  plan/bare  plan/flat  plan ms/job",
  );
  for (const r of rows) {
    console.log(
      [
        String(r.jobs).padEnd(5),
        String(r.services).padEnd(9),
        String(r.resources).padEnd(10),
        r.plan.ms.toFixed(0).padEnd(8),
        r.plan.rss.toFixed(0).padEnd(9),
        r.bare.ms.toFixed(0).padEnd(8),
        r.bare.rss.toFixed(0).padEnd(9),
        r.flat.ms.toFixed(0).padEnd(8),
        `${r.ratio.toFixed(2)}×`.padEnd(10),
        `${(r.plan.ms / r.flat.ms).toFixed(2)}×`.padEnd(10),
        (r.plan.ms / r.jobs).toFixed(2),
      ].join(" "),
    );
  }
}

main();
