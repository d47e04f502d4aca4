// Errors a user reads: one line with the operation, the resource, the API code and the request id.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { DlcClient, PaiApiError, isNotFound, staticCredentialSource } from "../../infra/pai";
import { type PaiEmulator, startEmulator } from "../emulator";

const GOOD = { accessKeyId: "LTAI-good", accessKeySecret: "good-secret" };
let emu: PaiEmulator;

before(async () => {
  emu = await startEmulator({ credentials: [GOOD] });
});
after(() => emu.close());

const dlcWith = (accessKeyId: string, accessKeySecret: string) =>
  new DlcClient({
    region: "cn-hangzhou",
    endpoint: emu.url,
    credentials: staticCredentialSource(accessKeyId, accessKeySecret),
    retry: { baseDelayMs: 1, maxAttempts: 3 },
  });

async function caught(run: () => Promise<unknown>): Promise<PaiApiError> {
  try {
    await run();
  } catch (err) {
    assert.ok(err instanceof PaiApiError, `expected PaiApiError, got ${String(err)}`);
    return err;
  }
  assert.fail("expected an error");
}

function assertOneReadableLine(err: PaiApiError, operation: string, code: RegExp): void {
  console.log(`    ${err.message}`);
  assert.doesNotMatch(err.message, /\n/);
  assert.ok(err.message.startsWith(operation), err.message);
  assert.match(err.code, code);
  assert.ok(err.message.includes(err.code));
  assert.ok(err.requestId, "has a request id");
  assert.ok(err.message.includes(`[request id ${err.requestId}]`), err.message);
  assert.doesNotMatch(err.message, /good-secret|wrong-secret/, "never prints a secret");
}

void describe("readable errors against the emulator", () => {
  void it("a wrong credential", async () => {
    const err = await caught(() => dlcWith("LTAI-wrong", "wrong-secret").getJob("dlc-anything"));
    assertOneReadableLine(err, "DLC GetJob job=dlc-anything:", /^(InvalidAccessKeyId|SignatureDoesNotMatch)/);
    assert.equal(isNotFound(err), false, "a bad key is not a missing job");
  });

  void it("a wrong secret for a known key id", async () => {
    const err = await caught(() => dlcWith(GOOD.accessKeyId, "wrong-secret").getJob("dlc-anything"));
    assertOneReadableLine(err, "DLC GetJob job=dlc-anything:", /^SignatureDoesNotMatch/);
  });

  void it("an unknown job id", async () => {
    const err = await caught(() =>
      dlcWith(GOOD.accessKeyId, GOOD.accessKeySecret).getJob("dlc-does-not-exist"),
    );
    assertOneReadableLine(err, "DLC GetJob job=dlc-does-not-exist:", /NotFound$/);
    assert.equal(err.statusCode, 404);
    assert.equal(isNotFound(err), true);
  });

  void it("a validation error (bad JobType), sent once", async () => {
    const before = emu.requests().length;
    const err = await caught(() =>
      dlcWith(GOOD.accessKeyId, GOOD.accessKeySecret).createJob({
        displayName: "bad-type",
        jobType: "NoSuchJob",
        jobSpecs: [{ type: "Worker", image: "img", podCount: 1, ecsSpec: "ecs.g6.large" }],
        userCommand: "echo",
        workspaceId: "ws-1",
      }),
    );
    assertOneReadableLine(err, "DLC CreateJob displayName=bad-type:", /^InvalidParameter/);
    assert.equal(emu.requests().length - before, 1);
  });
});
