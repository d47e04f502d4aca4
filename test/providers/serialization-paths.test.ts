// The serialized providers (what Pulumi writes into state as `__provider`) do not depend on where the
// project is checked out: the same sources at two different paths serialize to identical text, and no
// text holds either path (components/providers/load-impl.ts captures no path).
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { promisify } from "node:util";

const REPO_ROOT = join(__dirname, "..", "..");
const PROVIDERS = {
  DlcJob: ["dlc-job", "dlcJobProvider"],
  GpuQuota: ["gpu-quota", "gpuQuotaProvider"],
  EasAutoscaler: ["eas-autoscaler", "easAutoscalerProvider"],
  EasServiceEndpoints: ["eas-service-endpoints", "easServiceEndpointsProvider"],
} as const;

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A copy of the provider sources at a fresh path, with the repo's node_modules linked in. */
function checkout(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `pai-checkout-${label}-`));
  dirs.push(dir);
  cpSync(join(REPO_ROOT, "components"), join(dir, "components"), { recursive: true });
  symlinkSync(join(REPO_ROOT, "node_modules"), join(dir, "node_modules"), "dir");
  return dir;
}

/** Serializes every provider as pulumi.dynamic.Resource does, in a child process rooted in `dir`. */
async function serializeIn(dir: string): Promise<Record<string, string>> {
  const script = `
    const pulumi = require("@pulumi/pulumi");
    const specs = ${JSON.stringify(PROVIDERS)};
    (async () => {
      const out = {};
      for (const [name, [file, exported]] of Object.entries(specs)) {
        const provider = require("./components/providers/" + file)[exported];
        out[name] = (await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true })).text;
      }
      process.stdout.write(JSON.stringify(out));
    })().catch((e) => { console.error(String(e)); process.exit(1); });`;
  const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", "-e", script], {
    cwd: dir,
    env: { ...process.env, NODE_OPTIONS: "" },
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(stdout) as Record<string, string>;
}

void describe("provider serialization across checkouts", () => {
  void it("two checkouts at different paths serialize every provider to identical text, holding neither path", async () => {
    const [a, b] = [checkout("a"), checkout("b")];
    const [textsA, textsB] = await Promise.all([serializeIn(a), serializeIn(b)]);
    assert.deepEqual(Object.keys(textsA).sort(), Object.keys(PROVIDERS).sort());
    for (const name of Object.keys(PROVIDERS)) {
      const [ta, tb] = [textsA[name]!, textsB[name]!];
      assert.ok(
        !ta.includes(a) && !tb.includes(b),
        `${name}: the serialized provider holds its checkout's path`,
      );
      assert.ok(!ta.includes(tmpdir()), `${name}: the serialized provider holds a machine path`);
      assert.equal(ta, tb, `${name}: the serialized text differs between two checkouts`);
    }
  });
});
