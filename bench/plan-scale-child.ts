/**
 * One measured run in a fresh process (so peak memory is this run's alone):
 *   record <stack file> <graph.json>  — untimed: the offline plan, recording each registration's
 *                                       type, name, inputs, parent and dependencies as the monitor saw them
 *   plan <stack file>                 — the offline plan, timed
 *   bare <graph.json> [flat]          — the bare SDK mock runtime registering the same resources:
 *                                       same types, names, inputs, parents and dependencies (`flat`:
 *                                       without parents and dependencies)
 * Prints one JSON line: { ms, cpuMs, maxRssMiB, resources }.
 */
import * as fs from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import { runOfflinePlan } from "../infra/plan";

/** One registration as the mock monitor received it. */
interface GraphNode {
  urn: string;
  type: string;
  name: string;
  custom: boolean;
  parent: string;
  dependencies: string[];
  inputs: Record<string, unknown>;
}

interface MonitorRequest {
  getObject(): unknown;
  getType(): string;
  getName(): string;
  getCustom(): boolean;
  getParent(): string;
  getDependenciesList(): string[];
}
interface Monitor {
  registerResource(req: MonitorRequest, cb: (err: unknown, res?: { getUrn(): string }) => void): unknown;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const settings = require("@pulumi/pulumi/runtime/settings") as {
  getMonitor: () => Monitor | undefined;
  waitForRPCs: () => Promise<void>;
};

/** Wraps the mock monitor the plan installs, to see parents and dependencies (mocks do not get them). */
async function recordRun(file: string, out: string): Promise<number> {
  const nodes: GraphNode[] = [];
  const setMocks = pulumi.runtime.setMocks.bind(pulumi.runtime);
  (pulumi.runtime as { setMocks: typeof setMocks }).setMocks = async (...args) => {
    await setMocks(...args);
    const monitor = settings.getMonitor()!;
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req, cb) =>
      register(req, (err, res) => {
        if (!err && res) {
          nodes.push({
            urn: res.getUrn(),
            type: req.getType(),
            name: req.getName(),
            custom: req.getCustom(),
            parent: req.getParent(),
            dependencies: req.getDependenciesList(),
            // Exactly what the engine would receive, the serialized dynamic provider included.
            inputs: pulumi.runtime.deserializeProperties(req.getObject() as never),
          });
        }
        cb(err, res);
      });
  };
  await runOfflinePlan(file, "scale");
  fs.writeFileSync(out, JSON.stringify(nodes));
  return nodes.length;
}

async function planRun(file: string): Promise<number> {
  return (await runOfflinePlan(file, "scale")).resources.length;
}

/** The baseline: the same registrations, no program logic at all. */
async function bareRun(input: string, flat: boolean): Promise<number> {
  const nodes = JSON.parse(fs.readFileSync(input, "utf8")) as GraphNode[];
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
  const byUrn = new Map<string, pulumi.Resource>();
  for (const n of nodes) {
    const opts: pulumi.ResourceOptions = flat
      ? {}
      : {
          ...(n.parent ? { parent: byUrn.get(n.parent) } : {}),
          dependsOn: n.dependencies
            .map((d) => byUrn.get(d))
            .filter((r): r is pulumi.Resource => r !== undefined),
        };
    const r = n.custom
      ? new Bare(n.type, n.name, n.inputs, opts)
      : new pulumi.ComponentResource(n.type, n.name, {}, opts);
    byUrn.set(n.urn, r);
  }
  await settings.waitForRPCs();
  return count;
}

async function main(): Promise<void> {
  const [mode, a, b] = process.argv.slice(2);
  // As `npm run plan` does (infra/cli/plan.ts), for every run alike.
  process.setSourceMapsEnabled(false);
  Error.stackTraceLimit = 0;
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  const count =
    mode === "record"
      ? await recordRun(a!, b!)
      : mode === "plan"
        ? await planRun(a!)
        : await bareRun(a!, b === "flat");
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  // CPU time (all threads, GC helpers included) moves less than wall time on a shared machine.
  const cpu = process.cpuUsage(cpuStart);
  const cpuMs = (cpu.user + cpu.system) / 1e3;
  process.stdout.write(
    `${JSON.stringify({ ms, cpuMs, maxRssMiB: process.resourceUsage().maxRSS / 1024, resources: count })}\n`,
  );
}

void main();
