// ACS3-HMAC-SHA256: requests signed by the real @alicloud/openapi-client are accepted with
// the right key pair and refused otherwise.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type PaiEmulator, startEmulator } from "./index";
import { VERSION, call, callError, client, raw, validJob } from "./helpers";
import { canonicalRequest, percentEncode } from "./signature";

void describe("signature verification with credentials configured", () => {
  let emu: PaiEmulator;
  before(async () => {
    emu = await startEmulator({ credentials: [{ accessKeyId: "LTAItestkey", accessKeySecret: "s3cr3t" }] });
  });
  after(() => emu.close());

  void it("accepts requests signed by openapi-client, with a body and with awkward query values", async () => {
    const c = client(emu, "LTAItestkey", "s3cr3t");
    const created = await call(c, "dlc", "CreateJob", "POST", "/api/v1/jobs", {
      body: validJob({ Envs: { A: "ü *~" } }),
    });
    assert.match(String(created.JobId), /^dlc/);
    const listed = await call(c, "dlc", "ListJobs", "GET", "/api/v1/jobs", {
      query: { DisplayName: "sft qwen*~!'()+é", Tags: JSON.stringify({ team: "a b" }) },
    });
    assert.equal(listed.TotalCount, 0);
    const got = await call(c, "dlc", "GetJob", "GET", `/api/v1/jobs/${String(created.JobId)}`);
    assert.equal(got.JobId, created.JobId);
  });

  void it("refuses a wrong secret with 400 SignatureDoesNotMatch and does not act", async () => {
    const before = emu.jobs().length;
    const err = await callError(
      call(client(emu, "LTAItestkey", "wrong"), "dlc", "CreateJob", "POST", "/api/v1/jobs", {
        body: validJob(),
      }),
    );
    assert.equal(err.code, "SignatureDoesNotMatch");
    assert.equal(err.statusCode, 400);
    assert.equal(emu.jobs().length, before);
  });

  void it("refuses an unknown access key with 404 InvalidAccessKeyId.NotFound", async () => {
    const err = await callError(
      call(client(emu, "LTAIunknown", "s3cr3t"), "dlc", "ListJobs", "GET", "/api/v1/jobs"),
    );
    assert.equal(err.code, "InvalidAccessKeyId.NotFound");
    assert.equal(err.statusCode, 404);
  });

  void it("refuses a well-shaped but forged signature", async () => {
    const res = await raw(emu, {
      method: "GET",
      path: "/api/v1/jobs",
      action: "ListJobs",
      version: VERSION.dlc,
    });
    assert.equal(res.status, 404); // Credential=any is not a configured key
    const forged = await raw(emu, {
      method: "GET",
      path: "/api/v1/jobs",
      action: "ListJobs",
      version: VERSION.dlc,
      headers: {
        authorization: `ACS3-HMAC-SHA256 Credential=LTAItestkey,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=${"a".repeat(64)}`,
      },
    });
    assert.equal(forged.status, 400);
    assert.equal(forged.body.Code, "SignatureDoesNotMatch");
  });
});

void describe("without credentials configured", () => {
  void it("accepts any access key, as LocalStack does", async () => {
    const emu = await startEmulator();
    try {
      const body = await call(client(emu, "whatever", "whatever"), "dlc", "ListJobs", "GET", "/api/v1/jobs");
      assert.equal(body.TotalCount, 0);
    } finally {
      await emu.close();
    }
  });
});

void describe("canonical request", () => {
  void it("sorts query keys, percent-encodes values like openapi-util and lists signed headers", () => {
    const text = canonicalRequest({
      method: "GET",
      rawPath: "/api/v1/jobs",
      query: { b: "x y", a: "!*'()~" },
      headers: { host: "h", "x-acs-date": " d " },
      signedHeaders: ["host", "x-acs-date"],
      hashedPayload: "p",
    });
    assert.equal(
      text,
      "GET\n/api/v1/jobs\na=%21%2A%27%28%29~&b=x%20y\nhost:h\nx-acs-date:d\n\nhost;x-acs-date\np",
    );
    assert.equal(percentEncode("a+b/c"), "a%2Bb%2Fc");
  });
});
