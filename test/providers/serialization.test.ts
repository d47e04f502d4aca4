// Each provider serialized exactly as pulumi.dynamic.Resource does it (serializeFunction with
// allowSecrets, captured through the real resource constructor under mocks) holds no credential, and
// the serialized text works: evaluated like the dynamic provider host (a module exporting `handler`)
// in this process and in a plain `node` child without a TypeScript loader.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { writeFileSync, mkdtempSync } from "node:fs";
import Module from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import * as pulumi from "@pulumi/pulumi";
import { DlcJob, type DlcJobInputs, dlcJobProvider } from "../../components/providers/dlc-job";
import { EasAutoscaler, easAutoscalerProvider } from "../../components/providers/eas-autoscaler";
import {
  EasServiceEndpoints,
  easServiceEndpointsProvider,
} from "../../components/providers/eas-service-endpoints";
import { GpuQuota, gpuQuotaProvider } from "../../components/providers/gpu-quota";
import { type PaiEmulator } from "../emulator";
import { call, client } from "../emulator/helpers";
import { FAKE_CREDENTIALS, liveJobs, startProviderEmulator } from "./setup";

const REPO_ROOT = join(__dirname, "..", "..");
const SECRETS = [
  FAKE_CREDENTIALS.accessKeyId,
  FAKE_CREDENTIALS.accessKeySecret,
  FAKE_CREDENTIALS.securityToken,
];

let emu: PaiEmulator;
before(async () => {
  emu = await startProviderEmulator();
});
after(() => emu.close());

/** Serializes with fake credentials present in the environment (including an STS token). */
async function serializeWithCredentialsInEnv(
  provider: object,
): Promise<{ text: string; containsSecrets: boolean }> {
  process.env.ALIBABA_CLOUD_SECURITY_TOKEN = FAKE_CREDENTIALS.securityToken;
  try {
    return await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
  } finally {
    delete process.env.ALIBABA_CLOUD_SECURITY_TOKEN;
  }
}

function assertNoSecrets(text: string, what: string): void {
  for (const secret of SECRETS) assert.ok(!text.includes(secret), `${what} contains a credential`);
  assert.doesNotMatch(
    text,
    /accessKeySecret\s*[:=]\s*["'][^"']+["']/,
    `${what} holds an accessKeySecret value`,
  );
}

/** The dynamic provider host's require-from-string: compile the text as a module, call handler(). */
function evaluateLikeHost(text: string): pulumi.dynamic.ResourceProvider {
  const m = new Module("", module) as Module & { _compile(code: string, filename: string): void };
  m.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(REPO_ROOT);
  m._compile(text, "");
  return (m.exports as { handler: () => pulumi.dynamic.ResourceProvider }).handler();
}

const jobInputs = (name: string): DlcJobInputs => ({
  region: "cn-hangzhou",
  workspaceId: "ws-1",
  displayName: name,
  jobType: "PyTorchJob",
  image: "img:1",
  userCommand: "python train.py",
  podCount: 1,
  ecsSpec: "ecs.gn7i-c8g1.2xlarge",
  outputUri: "oss://bucket/out/",
  waitFor: "submitted",
});

void describe("provider serialization", () => {
  const providers = {
    DlcJob: dlcJobProvider,
    GpuQuota: gpuQuotaProvider,
    EasAutoscaler: easAutoscalerProvider,
    EasServiceEndpoints: easServiceEndpointsProvider,
  };

  for (const [name, provider] of Object.entries(providers)) {
    void it(`${name}: serialized text holds no credential and no secret`, async () => {
      const { text, containsSecrets } = await serializeWithCredentialsInEnv(provider);
      assertNoSecrets(text, name);
      assert.equal(containsSecrets, false);
      assert.ok(
        text.length < 20_000,
        `thin closure (${text.length} chars): clients are loaded at call time, not serialized`,
      );
      assert.doesNotMatch(text, /openapi-client|callApi/, "client code is not captured");
    });
  }

  void it("the resources' real __provider property (under mocks) holds no credential", async () => {
    const captured: Record<string, string> = {};
    await pulumi.runtime.setMocks(
      {
        newResource: (args) => {
          captured[args.type] = String((args.inputs as { __provider?: unknown }).__provider);
          return Promise.resolve({ id: `${args.name}-id`, state: args.inputs });
        },
        call: (args) => Promise.resolve(args.inputs),
      },
      "pai-finetune",
      "test",
      false,
    );
    process.env.ALIBABA_CLOUD_SECURITY_TOKEN = FAKE_CREDENTIALS.securityToken;
    try {
      const job = new DlcJob("job", jobInputs("mocked"));
      const quota = new GpuQuota("quota", {
        region: "cn-hangzhou",
        quotaName: "q",
        resourceType: "Lingjun",
        nodeSpec: "ml.gu7xf.8xlarge-gu108",
        nodeCount: 1,
      });
      const scaler = new EasAutoscaler("scaler", {
        region: "cn-hangzhou",
        serviceName: "svc",
        min: 1,
        max: 2,
        strategies: [{ metricName: "qps", threshold: 10 }],
      });
      const endpoints = new EasServiceEndpoints("endpoints", { region: "cn-hangzhou", serviceName: "svc" });
      await new Promise<void>((resolve) =>
        pulumi.all([job.urn, quota.urn, scaler.urn, endpoints.urn]).apply(() => resolve()),
      );
    } finally {
      delete process.env.ALIBABA_CLOUD_SECURITY_TOKEN;
    }
    assert.deepEqual(Object.keys(captured).sort(), [
      "pulumi-nodejs:dynamic/pai:DlcJob",
      "pulumi-nodejs:dynamic/pai:EasAutoscaler",
      "pulumi-nodejs:dynamic/pai:EasServiceEndpoints",
      "pulumi-nodejs:dynamic/pai:GpuQuota",
    ]);
    for (const [type, text] of Object.entries(captured)) {
      assert.match(text, /exports\.handler/, type);
      assertNoSecrets(text, type);
    }
  });

  void it("the serialized DlcJob provider works when evaluated like the host (in process)", async () => {
    const { text } = await serializeWithCredentialsInEnv(dlcJobProvider);
    const provider = evaluateLikeHost(text);
    const created = await provider.create(jobInputs("serialized-inproc"));
    assertNoSecrets(JSON.stringify(created.outs), "state");
    await provider.delete!(created.id, created.outs);
    assert.deepEqual(liveJobs(emu), []);
  });

  void it("the serialized EasServiceEndpoints provider works when evaluated like the host (in process)", async () => {
    const c = client(emu, FAKE_CREDENTIALS.accessKeyId, FAKE_CREDENTIALS.accessKeySecret);
    await call(c, "eas", "CreateService", "POST", "/api/v2/services", {
      body: JSON.stringify({
        metadata: { name: "serialized_svc", instance: 1 },
        containers: [{ image: "i" }],
      }),
    });
    const { text } = await serializeWithCredentialsInEnv(easServiceEndpointsProvider);
    const provider = evaluateLikeHost(text);
    const created = await provider.create({ region: "cn-hangzhou", serviceName: "serialized_svc" });
    const outs = created.outs as { internetEndpoint: string };
    assert.match(outs.internetEndpoint, /serialized_svc/);
    assertNoSecrets(JSON.stringify(created.outs), "state");
    await provider.delete!(created.id, created.outs);
  });

  void it("the serialized DlcJob provider works in a plain node process without a TypeScript loader", async () => {
    const { text } = await serializeWithCredentialsInEnv(dlcJobProvider);
    const dir = mkdtempSync(join(tmpdir(), "pai-provider-"));
    const providerFile = join(dir, "provider.js");
    writeFileSync(providerFile, text);
    const script = `
      const Module = require("module");
      const fs = require("fs");
      const hadTsLoader = Boolean(Module._extensions[".ts"]);
      const m = new Module("", null);
      m.paths = Module._nodeModulePaths(process.cwd());
      m._compile(fs.readFileSync(${JSON.stringify(providerFile)}, "utf8"), "");
      const provider = m.exports.handler();
      (async () => {
        const created = await provider.create(JSON.parse(process.argv[1]));
        await provider.delete(created.id, created.outs);
        console.log(JSON.stringify({ id: created.id, hadTsLoader }));
      })().catch((e) => { console.error(String(e && e.stack || e)); process.exit(1); });`;
    const env = { ...process.env, NODE_OPTIONS: "" }; // no --import tsx: the provider must register a loader itself
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["-e", script, JSON.stringify(jobInputs("serialized-child"))],
      {
        cwd: REPO_ROOT,
        env,
      },
    );
    const result = JSON.parse(stdout.trim().split("\n").pop()!) as { id: string; hadTsLoader: boolean };
    assert.equal(result.hadTsLoader, false, "the child started without a TypeScript loader");
    assert.match(result.id, /\S/);
    const record = emu.jobs().find((j) => j.JobId === result.id);
    assert.equal(record?.deleted, true, "the child created and deleted a real job");
    assert.deepEqual(liveJobs(emu), []);
  });
});
