// The emulator's command line (issue 8, defect 9): bad flags are refused; it says loudly when it
// accepts any signature; it stops on SIGTERM and SIGINT sent to whatever started it.
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { request } from "node:http";
import { join } from "node:path";
import { describe, it } from "node:test";
import { emulatorOptions, ANY_SIGNATURE_WARNING } from "./main";

const ROOT = join(__dirname, "..", "..");
const MAIN = join("test", "emulator", "main.ts");

describe("emulator flags", () => {
  it("refuses a seed, port or fault rate that is not a number in range, in one line with exit 2", () => {
    for (const args of [
      ["--seed", "xyz"],
      ["--seed", "1.5"],
      ["--seed", "4294967296"],
      ["--port", "65536"],
      ["--port", "http"],
      ["--fault-rate", "2"],
      ["--fault-rate", "lots"],
      ["--region", "Hangzhou"],
      ["--access-key-id", "only-one"],
      ["--sed", "1"],
    ]) {
      const r = spawnSync(process.execPath, ["--import", "tsx", MAIN, ...args], {
        cwd: ROOT,
        encoding: "utf8",
      });
      assert.equal(r.status, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(`^emulator: ${args[0]!.replace(/-/g, "\\-")}`));
      assert.equal(r.stderr.trim().split("\n").length, 2, "the error and the usage line");
      assert.equal(r.stdout, "");
    }
  });

  it("parses good flags", () => {
    const { options, faultRate } = emulatorOptions(["--seed", "42", "--port", "0", "--fault-rate", "0.25"]);
    assert.equal(options.seed, 42);
    assert.equal(options.port, 0);
    assert.equal(faultRate, 0.25);
    assert.equal(options.credentials, undefined);
  });
});

/** Starts `command`, waits for the emulator's URL on stdout and the lines before it on stderr. */
async function started(child: ChildProcess): Promise<{ url: string; stderr: () => string }> {
  let out = "";
  let err = "";
  child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /http:\/\/127\.0\.0\.1:\d+/.exec(out);
      if (m) resolve(m[0]);
    });
    child.once("exit", (code) => reject(new Error(`exited ${code} before serving: ${err}`)));
  });
  return { url, stderr: () => err };
}

function answers(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(url, { method: "GET", agent: false }, (res) => {
      res.resume();
      resolve(true);
    });
    req.once("error", () => resolve(false));
    req.end();
  });
}

/** True once `url` stops answering; false if it still answers after `limitMs` (a bound, not a speed target). */
async function stopsAnswering(url: string, limitMs = 15_000): Promise<boolean> {
  for (const deadline = Date.now() + limitMs; Date.now() < deadline;) {
    if (!(await answers(url))) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

describe("emulator process", () => {
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    it(`stops when npm run emulator receives ${signal}`, async () => {
      const npm = spawn("npm", ["run", "--silent", "emulator", "--", "--port", "0"], {
        cwd: ROOT,
        stdio: ["ignore", "pipe", "pipe"],
      });
      try {
        const { url, stderr } = await started(npm);
        assert.ok(await answers(url));
        assert.ok(stderr().includes(ANY_SIGNATURE_WARNING), "warns that any signature is accepted");
        npm.kill(signal);
        assert.ok(await stopsAnswering(url), `the emulator still serves ${url} after ${signal} to npm`);
      } finally {
        npm.kill("SIGKILL");
      }
    });
  }

  it("stops when a wrapper that does not pass signals on is killed", async () => {
    const sh = spawn(
      "sh",
      ["-c", `${JSON.stringify(process.execPath)} --import tsx ${MAIN} --port 0; true`],
      {
        cwd: ROOT,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    try {
      const { url, stderr } = await started(sh);
      sh.kill("SIGKILL");
      assert.ok(await stopsAnswering(url), `the emulator outlived its parent at ${url}: ${stderr()}`);
    } finally {
      sh.kill("SIGKILL");
    }
  });

  it("does not warn when keys are given", async () => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", MAIN, "--port", "0", "--access-key-id", "id", "--access-key-secret", "secret"],
      { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
    );
    try {
      const { stderr } = await started(child);
      assert.doesNotMatch(stderr(), /WARNING/);
    } finally {
      child.kill("SIGTERM");
    }
  });
});
