/**
 * One measured run in a fresh process (so peak memory is this run's alone):
 *   record <stack file> <graph.json>  — untimed: the offline plan, recording each registration's
 *                                       type, name, inputs, parent, dependencies and (components)
 *                                       registered outputs, as the monitor saw them
 *   plan <stack file>                 — the offline plan, timed
 *   bare <graph.json> [classes|generic|flat]
 *                                     — the bare SDK mock runtime registering the same resources, no
 *                                       config and no program logic:
 *       classes (default): each resource through its own class (`alicloud.oss.Bucket`, the dynamic
 *                          `DlcJob`, …) with the recorded inputs, parents and dependencies, and each
 *                          component's recorded outputs registered — what any program declaring these
 *                          resources pays the SDK, declared output properties and the one-time
 *                          serialization of each dynamic provider included;
 *       generic: the recorded wire inputs through a plain `CustomResource` of the recorded type
 *                (the serialized provider passed as text, no declared outputs, no component outputs):
 *                a lower bound no real program reaches;
 *       flat:    generic without parents and dependencies.
 * Prints one JSON line: { ms, cpuMs, maxRssMiB, resources }.
 */
import * as fs from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import * as alicloud from "@pulumi/alicloud";
import { runOfflinePlan } from "../infra/plan";
import { DlcJob } from "../components/providers/dlc-job";
import { EasAutoscaler } from "../components/providers/eas-autoscaler";
import { EasServiceEndpoints } from "../components/providers/eas-service-endpoints";
import { GpuQuota } from "../components/providers/gpu-quota";

/** One registration as the mock monitor received it. */
interface GraphNode {
  urn: string;
  type: string;
  name: string;
  custom: boolean;
  parent: string;
  dependencies: string[];
  inputs: Record<string, unknown>;
  /** What a component passed to registerOutputs, resolved. */
  outputs?: Record<string, unknown>;
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
  registerResourceOutputs(
    req: { getUrn(): string; getOutputs(): unknown },
    cb: (err: unknown) => void,
  ): unknown;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const settings = require("@pulumi/pulumi/runtime/settings") as {
  getMonitor: () => Monitor | undefined;
  waitForRPCs: () => Promise<void>;
};

/** Wraps the mock monitor the plan installs, to see parents and dependencies (mocks do not get them). */
async function recordRun(file: string, out: string): Promise<number> {
  const nodes: GraphNode[] = [];
  const outputs = new Map<string, Record<string, unknown>>();
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
    const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
    monitor.registerResourceOutputs = (req, cb) => {
      outputs.set(req.getUrn(), pulumi.runtime.deserializeProperties(req.getOutputs() as never));
      return registerOutputs(req, cb);
    };
  };
  await runOfflinePlan(file, "scale");
  for (const n of nodes) {
    const o = outputs.get(n.urn);
    if (o) n.outputs = o;
  }
  fs.writeFileSync(out, JSON.stringify(nodes));
  return nodes.length;
}

async function planRun(file: string): Promise<number> {
  return (await runOfflinePlan(file, "scale")).resources.length;
}

type ResourceClass = new (name: string, args: object, opts: pulumi.CustomResourceOptions) => pulumi.Resource;

/** Our dynamic resource classes by type token; `alicloud:<module>/<file>:<Class>` maps to alicloud.<module>.<Class>. */
const DYNAMIC_CLASSES: Record<string, ResourceClass> = {
  "pulumi-nodejs:dynamic/pai:DlcJob": DlcJob as unknown as ResourceClass,
  "pulumi-nodejs:dynamic/pai:GpuQuota": GpuQuota as unknown as ResourceClass,
  "pulumi-nodejs:dynamic/pai:EasServiceEndpoints": EasServiceEndpoints as unknown as ResourceClass,
  "pulumi-nodejs:dynamic/pai:EasAutoscaler": EasAutoscaler as unknown as ResourceClass,
};

function resourceClass(type: string): ResourceClass {
  const known = DYNAMIC_CLASSES[type];
  if (known) return known;
  const m = /^alicloud:([^/]+)\/[^:]+:(.+)$/.exec(type);
  const cls = m
    ? (alicloud as unknown as Record<string, Record<string, ResourceClass>>)[m[1]!]?.[m[2]!]
    : undefined;
  if (!cls) throw new Error(`bench: no resource class for ${type}`);
  return cls;
}

/** The baseline: the same registrations, no config and no program logic at all. */
async function bareRun(input: string, mode: "classes" | "generic" | "flat"): Promise<number> {
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
  class Component extends pulumi.ComponentResource {
    done(outputs: Record<string, unknown>): void {
      this.registerOutputs(outputs);
    }
  }
  const byUrn = new Map<string, pulumi.Resource>();
  const components: [Component, Record<string, unknown>][] = [];
  for (const n of nodes) {
    const opts: pulumi.CustomResourceOptions =
      mode === "flat"
        ? {}
        : {
            ...(n.parent ? { parent: byUrn.get(n.parent) } : {}),
            dependsOn: n.dependencies
              .map((d) => byUrn.get(d))
              .filter((r): r is pulumi.Resource => r !== undefined),
          };
    let r: pulumi.Resource;
    if (!n.custom) {
      const c = new Component(n.type, n.name, {}, opts);
      if (mode === "classes" && n.outputs) components.push([c, n.outputs]);
      r = c;
    } else if (mode === "classes") {
      // The class serializes its own provider, as it does in the program.
      const { __provider: _serialized, ...args } = n.inputs;
      r = new (resourceClass(n.type))(n.name, args, opts);
    } else {
      r = new Bare(n.type, n.name, n.inputs, opts);
    }
    byUrn.set(n.urn, r);
  }
  // Components register their outputs once their children exist, as the components do.
  for (const [c, outputs] of components) c.done(outputs);
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
        : await bareRun(a!, b === "flat" ? "flat" : b === "generic" ? "generic" : "classes");
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  // CPU time (all threads, GC helpers included) moves less than wall time on a shared machine.
  const cpu = process.cpuUsage(cpuStart);
  const cpuMs = (cpu.user + cpu.system) / 1e3;
  process.stdout.write(
    `${JSON.stringify({ ms, cpuMs, maxRssMiB: process.resourceUsage().maxRSS / 1024, resources: count })}\n`,
  );
}

void main();
