/**
 * One measured run in a fresh process (so peak memory is this run's alone):
 *   plan <stack file> <resources.json>  — the offline plan; writes what it registered
 *   bare <resources.json>               — the bare SDK mock runtime registering the same resources
 * Prints one JSON line: { ms, maxRssMiB, resources }.
 */
import * as fs from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import { runOfflinePlan, type RegisteredResource } from "../infra/plan";

async function planRun(file: string, out: string): Promise<number> {
  const { resources } = await runOfflinePlan(file, "scale");
  fs.writeFileSync(out, JSON.stringify(resources));
  return resources.length;
}

/** The baseline: the same types, names and inputs, as plain resources, no program logic at all. */
async function bareRun(input: string): Promise<number> {
  const resources = JSON.parse(fs.readFileSync(input, "utf8")) as RegisteredResource[];
  let count = 0;
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        count++;
        return { id: `${args.name}-id`, state: args.inputs as Record<string, unknown> };
      },
      call: () => ({}),
    },
    "pai-finetune",
    "scale",
    true,
  );
  class Bare extends pulumi.CustomResource {}
  for (const r of resources) {
    if (r.custom) new Bare(r.type, r.name, r.inputs);
    else new pulumi.ComponentResource(r.type, r.name, {});
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  await (require("@pulumi/pulumi/runtime/settings") as { waitForRPCs: () => Promise<void> }).waitForRPCs();
  return count;
}

async function main(): Promise<void> {
  const [mode, a, b] = process.argv.slice(2);
  // As `npm run plan` does (infra/cli/plan.ts), for both runs alike.
  process.setSourceMapsEnabled(false);
  Error.stackTraceLimit = 0;
  const start = process.hrtime.bigint();
  const count = mode === "plan" ? await planRun(a!, b!) : await bareRun(a!);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  process.stdout.write(
    `${JSON.stringify({ ms, maxRssMiB: process.resourceUsage().maxRSS / 1024, resources: count })}\n`,
  );
}

void main();
