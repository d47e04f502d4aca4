/**
 * The program under Pulumi's own TypeScript host: `pulumi up` (Pulumi.yaml: runtime nodejs,
 * typescript: true) loads infra/index.ts through @pulumi/pulumi's cmd/run, which registers ts-node
 * (the project's, else the SDK's vendored 7.0.1) with the project's TypeScript and tsconfig,
 * type-checking on. The plan and the other tests run under tsx; this child process runs without tsx,
 * sets ts-node up the way cmd/run does (same helper, same options), then runs the program under the
 * SDK mocks. It proves the program type-checks and loads there, and that the dynamic providers
 * serialize under that host.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { describe, it } from "node:test";
import { stackFilePath } from "../../infra/config/load";
import { runOfflinePlan } from "../../infra/plan";

const ROOT = path.resolve(__dirname, "..", "..");

// Plain JavaScript for a plain `node`: mirrors @pulumi/pulumi/cmd/run/run.js (TypeScript branch, CommonJS).
const CHILD = `
const path = require("path");
const [root, stack] = process.argv.slice(1);
process.chdir(root);
const sdk = path.join(root, "node_modules/@pulumi/pulumi");
const tsutils = require(path.join(sdk, "tsutils.js"));
const { tsnodeRequire, typescriptRequire } = tsutils.typeScriptRequireStrings();
const fromSdk = (id) => require.resolve(id, { paths: [sdk] });
const compilerOptions = tsutils.loadTypeScriptCompilerOptions("tsconfig.json");
require(fromSdk(tsnodeRequire)).register({
  compiler: typescriptRequire,
  transpileOnly: undefined,
  project: "tsconfig.json",
  skipProject: false,
  compilerOptions: { target: "ES2020", module: "nodenext", moduleResolution: "nodenext", sourceMap: "true", ...compilerOptions },
});
const pulumi = require(sdk);
const registered = [];
pulumi.runtime
  .setMocks({ newResource: (a) => { registered.push({ type: a.type, provider: typeof a.inputs.__provider }); return { id: a.name + "-id", state: a.inputs }; }, call: () => ({}) }, "pai-finetune", stack, false)
  .then(async () => {
    const { readStackFile } = require(path.join(root, "infra/config/load.ts"));
    const { configForRuntime } = require(path.join(root, "infra/plan/mock-runtime.ts"));
    pulumi.runtime.setAllConfig(configForRuntime(readStackFile(path.join(root, "stacks", "Pulumi." + stack + ".yaml"))));
    const exported = require(path.join(root, "infra/index.ts"));
    await require(path.join(sdk, "runtime/settings")).waitForRPCs();
    process.stdout.write(JSON.stringify({
      tsnode: require(fromSdk(tsnodeRequire)).VERSION,
      typescript: require(fromSdk(typescriptRequire)).version,
      registered,
      exports: Object.keys(exported),
    }));
  })
  .catch((err) => { process.stderr.write(String(err && err.stack || err)); process.exit(1); });
`;

interface HostRun {
  tsnode: string;
  typescript: string;
  registered: { type: string; provider: string }[];
  exports: string[];
}

describe("the program under Pulumi's own TypeScript host (ts-node, type-checking)", () => {
  it("type-checks, loads and registers what the offline plan registers, for the dev stack", async () => {
    const out = execFileSync(process.execPath, ["-e", CHILD, ROOT, "dev"], {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...process.env, NODE_OPTIONS: "" },
      maxBuffer: 16 * 1024 * 1024,
    });
    const run = JSON.parse(out) as HostRun;
    assert.match(run.typescript, /^5\./, "the project's TypeScript, not the SDK's vendored 3.8");
    const plan = await runOfflinePlan(stackFilePath("dev"), "dev");
    const sorted = (xs: string[]) => [...xs].sort();
    assert.deepEqual(sorted(run.registered.map((r) => r.type)), sorted(plan.resources.map((r) => r.type)));
    // Every dynamic resource arrived with its serialized provider.
    const dynamic = run.registered.filter((r) => r.type.startsWith("pulumi-nodejs:dynamic"));
    assert.ok(dynamic.length >= 3);
    for (const r of dynamic) assert.equal(r.provider, "string", r.type);
    assert.deepEqual(
      sorted(run.exports),
      sorted(["workspaceId", "bucketNames", "jobRoleArn", "quotaId", "jobs", "services"]),
    );
  });
});
