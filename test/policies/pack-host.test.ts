/**
 * The policy pack under Pulumi's own policy host, as `pulumi preview --policy-pack policies` runs it:
 * `node @pulumi/pulumi/cmd/run-policy-pack <engine> <pack dir>` in the pack's directory, which
 * registers ts-node (type-checking on, the pack's tsconfig) and requires the pack; constructing the
 * PolicyPack starts the analyzer's gRPC server and prints its port. No tsx anywhere in the child.
 * The test then talks to it as the engine does: GetAnalyzerInfo (the pack and its policies, each
 * with its config schema), then AnalyzeStack with the dev stack's resources as the engine sends them
 * (a Struct per resource, unknowns as the engine's sentinel), once with a violation and once with
 * the same violation exempted in the stack file.
 */
import assert from "node:assert/strict";
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { stackFilePath } from "../../infra/config/load";
import { runOfflinePlan } from "../../infra/plan";
import { decodeJobSizing, encodeJobSizing } from "../../infra/sizing";
import { POLICIES } from "../../policies/all";
import { scratchDir } from "../helpers/stack-files";

const ROOT = path.resolve(__dirname, "..", "..");
const SDK = path.join(ROOT, "node_modules", "@pulumi", "pulumi");
const scratch = scratchDir();

// Plain JavaScript for a plain `node`: the engine's side of the analyzer protocol.
const CLIENT = `
const path = require("path");
const fs = require("fs");
const [sdk, port, file] = process.argv.slice(1);
const req = (id) => require(require.resolve(id, { paths: [sdk] }));
const grpc = req("@grpc/grpc-js");
const rpc = require(path.join(sdk, "proto/analyzer_grpc_pb.js"));
const pb = require(path.join(sdk, "proto/analyzer_pb.js"));
const { Struct } = req("google-protobuf/google/protobuf/struct_pb.js");
const { Empty } = req("google-protobuf/google/protobuf/empty_pb.js");
const client = new rpc.AnalyzerClient("127.0.0.1:" + port, grpc.credentials.createInsecure());
const call = (m, r) => new Promise((ok, no) => client[m](r, (e, v) => (e ? no(e) : ok(v))));
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const toEngine = (v) =>
  typeof v === "string" ? (/<(account-id|placeholder|[a-z ]+ id of [^<>]+)>/.test(v) ? UNKNOWN : v)
  : Array.isArray(v) ? v.map(toEngine)
  : v && typeof v === "object" ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toEngine(x)]))
  : v;
async function stack(resources) {
  const r = new pb.AnalyzeStackRequest();
  r.setResourcesList(resources.map((x) => {
    const a = new pb.AnalyzerResource();
    a.setType(x.type);
    a.setName(x.name);
    a.setUrn("urn:pulumi:dev::pai-finetune::" + x.type + "::" + x.name);
    a.setProperties(Struct.fromJavaScript(toEngine(x.inputs)));
    a.setOptions(new pb.AnalyzerResourceOptions());
    return a;
  }));
  const res = await call("analyzeStack", r);
  return res.getDiagnosticsList().map((d) => ({ policy: d.getPolicyname(), level: d.getEnforcementlevel(), urn: d.getUrn(), message: d.getMessage() }));
}
(async () => {
  const info = await call("getAnalyzerInfo", new Empty());
  const cases = JSON.parse(fs.readFileSync(file, "utf8"));
  const out = {
    name: info.getName(),
    version: info.getVersion(),
    policies: info.getPoliciesList().map((p) => ({ name: p.getName(), level: p.getEnforcementlevel(), schema: p.getConfigschema() ? Object.keys(p.getConfigschema().getProperties().toJavaScript()) : [] })),
    violated: await stack(cases.violated),
    exempted: await stack(cases.exempted),
  };
  // --policy-pack-config: the engine sends each policy's level and settings (ConfigureAnalyzer).
  const conf = new pb.ConfigureAnalyzerRequest();
  const levels = { advisory: 0, mandatory: 1, disabled: 2 };
  for (const [name, entry] of Object.entries(cases.prodConfig)) {
    const { enforcementLevel, ...props } = entry;
    const pc = new pb.PolicyConfig();
    pc.setEnforcementlevel(levels[enforcementLevel]);
    pc.setProperties(Struct.fromJavaScript(props));
    conf.getPolicyconfigMap().set(name, pc);
  }
  await call("configure", conf);
  out.prod = await stack(cases.violated);
  process.stdout.write(JSON.stringify(out));
  process.exit(0);
})().catch((e) => { process.stderr.write(String(e && e.stack || e)); process.exit(1); });
`;

interface HostRun {
  name: string;
  version: string;
  policies: { name: string; level: number; schema: string[] }[];
  violated: { policy: string; level: number; urn: string; message: string }[];
  exempted: { policy: string; level: number; urn: string; message: string }[];
  prod: { policy: string; level: number; urn: string; message: string }[];
}

let pack: ChildProcess | undefined;
let port: string;
let run: HostRun;

before(async () => {
  // The engine starts the host in the pack's directory with the engine's address as first argument.
  pack = spawn(process.execPath, [path.join(SDK, "cmd", "run-policy-pack"), "127.0.0.1:0", "."], {
    cwd: path.join(ROOT, "policies"),
    env: { ...process.env, NODE_OPTIONS: "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  pack.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  port = await new Promise<string>((resolve, reject) => {
    let stdout = "";
    pack!.stdout!.on("data", (d: Buffer) => {
      stdout += d.toString();
      const m = /^(\d+)\s*$/m.exec(stdout);
      if (m) resolve(m[1]!);
    });
    pack!.on("exit", (code) => reject(new Error(`the policy host exited (${code}): ${stderr}`)));
  });

  const plan = await runOfflinePlan(stackFilePath("dev"), "dev");
  const withSmallDataset = plan.resources.map((r) => {
    // Evaluation jobs (pai-finetune-evaluation) carry no training sizing.
    if (r.type !== "pulumi-nodejs:dynamic/pai:DlcJob" || r.inputs.sizing === undefined) return r;
    const sizing = decodeJobSizing(r.inputs.sizing as string);
    return {
      ...r,
      inputs: {
        ...r.inputs,
        sizing: encodeJobSizing({ ...sizing, workload: { ...sizing.workload, examples: 40 } }),
      },
    };
  });
  const exemption = [
    {
      policy: "dataset-min-examples",
      resource: "tvfunc-qlora",
      reason: "pilot on a hand-checked sample",
      expires: "2999-12-31",
    },
  ];
  const exempted = withSmallDataset.map((r) =>
    r.type === "pai-finetune:platform:FineTunePlatform"
      ? { ...r, inputs: { ...r.inputs, policyExemptions: JSON.stringify(exemption) } }
      : r,
  );
  const file = scratch.write(
    "cases.json",
    JSON.stringify({
      violated: withSmallDataset,
      exempted,
      prodConfig: JSON.parse(
        fs.readFileSync(path.join(ROOT, "policies", "config", "prod.json"), "utf8"),
      ) as unknown,
    }),
  );
  const out = execFileSync(process.execPath, ["-e", CLIENT, SDK, port, file], {
    encoding: "utf8",
    env: { ...process.env, NODE_OPTIONS: "" },
  });
  run = JSON.parse(out) as HostRun;
});

after(() => {
  pack?.kill();
  scratch.cleanup();
});

describe("the policy pack under Pulumi's policy host (run-policy-pack, ts-node, type-checking)", () => {
  it("loads without tsx and serves every policy of the pack, each with its config schema", () => {
    assert.equal(run.name, "pai-finetune");
    assert.equal(run.version, "0.1.0");
    assert.deepEqual(
      run.policies.map((p) => p.name),
      POLICIES.map((p) => p.name),
    );
    const mandatory = 1; // pulumirpc.EnforcementLevel.MANDATORY
    assert.equal(run.policies.find((p) => p.name === "gpu-memory-cap")!.level, mandatory);
    assert.deepEqual(run.policies.find((p) => p.name === "gpu-memory-cap")!.schema, ["capGiB"]);
    assert.deepEqual(run.policies.find((p) => p.name === "job-cost-cap")!.schema.sort(), [
      "currency",
      "maxCost",
    ]);
  });

  it("analyzes the stack as the engine sends it: reports the violation on the job's urn", () => {
    const hit = run.violated.filter((d) => d.policy === "dataset-min-examples");
    assert.equal(hit.length, 1, JSON.stringify(run.violated));
    assert.match(hit[0]!.message, /40 examples; at least 200/);
    assert.match(hit[0]!.urn, /DlcJob::platform-job-tvfunc-qlora$/);
    // Nothing else in the dev stack violates a policy, unknown role ARN and ids included.
    assert.deepEqual(
      run.violated.filter((d) => d.policy !== "dataset-min-examples"),
      [],
    );
  });

  it("honours an active exemption recorded on the root component", () => {
    assert.deepEqual(run.exempted, []);
  });

  it("takes the environment's settings from --policy-pack-config (prod.json): prod caps apply to the dev stack", () => {
    const policies = new Set(run.prod.map((d) => d.policy));
    // One replica and AES256 buckets pass dev's settings but not prod's.
    assert.ok(policies.has("prod-availability"), JSON.stringify(run.prod));
    assert.ok(policies.has("bucket-security"), JSON.stringify(run.prod));
    assert.match(run.prod.find((d) => d.policy === "prod-availability")!.message, /requires at least 2/);
  });
});
