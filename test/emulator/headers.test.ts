// Gateway behaviour: routing, ROA headers, version/action match, body hash, content type.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type PaiEmulator, startEmulator } from "./index";
import { VERSION, raw, validJob } from "./helpers";

void describe("emulator gateway checks", () => {
  let emu: PaiEmulator;
  before(async () => {
    emu = await startEmulator();
  });
  after(() => emu.close());

  const listJobs = { method: "GET", path: "/api/v1/jobs", action: "ListJobs", version: VERSION.dlc };

  void it("accepts a well-formed request and answers with an upper-case RequestId", async () => {
    const res = await raw(emu, listJobs);
    assert.equal(res.status, 200);
    assert.match(
      String(res.body.RequestId),
      /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/,
    );
  });

  for (const name of [
    "x-acs-action",
    "x-acs-version",
    "x-acs-date",
    "x-acs-signature-nonce",
    "x-acs-content-sha256",
    "authorization",
  ]) {
    void it(`refuses a request without ${name}`, async () => {
      const res = await raw(emu, { ...listJobs, headers: { [name]: undefined } });
      assert.equal(res.status, 400);
      assert.match(String(res.body.Code), /^Missing/);
      assert.match(String(res.body.Message), new RegExp(name));
      assert.ok(res.body.RequestId && res.body.HostId);
    });
  }

  void it("answers 404 InvalidApi.NotFound for an unknown path or a method the path does not take", async () => {
    const unknown = await raw(emu, { ...listJobs, path: "/api/v1/nope" });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.Code, "InvalidApi.NotFound");
    const wrongMethod = await raw(emu, { ...listJobs, method: "PUT" });
    assert.equal(wrongMethod.status, 404);
  });

  void it("routes ListQuotas only with the trailing slash", async () => {
    const base = { method: "GET", action: "ListQuotas", version: VERSION.paistudio };
    assert.equal((await raw(emu, { ...base, path: "/api/v1/quotas/" })).status, 200);
    assert.equal((await raw(emu, { ...base, path: "/api/v1/quotas" })).status, 404);
  });

  void it("refuses an x-acs-version or x-acs-action that does not match the path", async () => {
    const badVersion = await raw(emu, { ...listJobs, version: VERSION.eas });
    assert.equal(badVersion.status, 400);
    assert.equal(badVersion.body.Code, "InvalidVersion");
    const badAction = await raw(emu, { ...listJobs, action: "GetJob" });
    assert.equal(badAction.status, 400);
    assert.equal(badAction.body.Code, "InvalidAction");
  });

  void it("refuses a malformed x-acs-date and a date more than 15 minutes off", async () => {
    const bad = await raw(emu, { ...listJobs, headers: { "x-acs-date": "Mon, 01 Jan 2024 00:00:00 GMT" } });
    assert.equal(bad.body.Code, "InvalidTimeStamp.Format");
    const old = await raw(emu, { ...listJobs, headers: { "x-acs-date": "2020-01-01T00:00:00Z" } });
    assert.equal(old.body.Code, "InvalidTimeStamp.Expired");
  });

  void it("refuses a reused signature nonce", async () => {
    const headers = { "x-acs-signature-nonce": `reused-${Date.now()}` };
    assert.equal((await raw(emu, { ...listJobs, headers })).status, 200);
    const again = await raw(emu, { ...listJobs, headers });
    assert.equal(again.status, 400);
    assert.equal(again.body.Code, "SignatureNonceUsed");
  });

  void it("refuses an x-acs-content-sha256 that is not the hash of the received body", async () => {
    const res = await raw(emu, {
      method: "POST",
      path: "/api/v1/jobs",
      action: "CreateJob",
      version: VERSION.dlc,
      body: JSON.stringify(validJob()),
      headers: { "x-acs-content-sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
    });
    assert.equal(res.status, 400);
    assert.match(String(res.body.Message), /x-acs-content-sha256/);
    assert.equal(emu.jobs().length, 0);
  });

  void it("refuses a malformed Authorization and one that leaves x-acs headers unsigned", async () => {
    const garbled = await raw(emu, { ...listJobs, headers: { authorization: "ACS3-HMAC-SHA256 nonsense" } });
    assert.equal(garbled.body.Code, "IncompleteSignature");
    const otherAlgo = await raw(emu, { ...listJobs, headers: { authorization: "HMAC-SHA1 Credential=a" } });
    assert.equal(otherAlgo.body.Code, "InvalidSignatureMethod");
    const partial = await raw(emu, {
      ...listJobs,
      headers: {
        authorization: `ACS3-HMAC-SHA256 Credential=a,SignedHeaders=host;x-acs-action,Signature=${"0".repeat(64)}`,
      },
    });
    assert.equal(partial.body.Code, "IncompleteSignature");
    assert.match(String(partial.body.Message), /x-acs-\S+" is not listed in SignedHeaders/);
  });

  void it("requires content-type application/json and a JSON body for body operations", async () => {
    const base = { method: "POST", path: "/api/v1/jobs", action: "CreateJob", version: VERSION.dlc };
    const text = await raw(emu, {
      ...base,
      body: JSON.stringify(validJob()),
      headers: { "content-type": "text/plain" },
    });
    assert.equal(text.status, 400);
    assert.match(String(text.body.Message), /content-type/);
    const notJson = await raw(emu, { ...base, body: "{DisplayName:" });
    assert.equal(notJson.status, 400);
    assert.match(String(notJson.body.Message), /JSON/);
    assert.equal(emu.jobs().length, 0);
  });

  void it("refuses a repeated query parameter", async () => {
    const res = await raw(emu, { ...listJobs, path: "/api/v1/jobs?Status=Running&Status=Failed" });
    assert.equal(res.status, 400);
    assert.match(String(res.body.Message), /Status/);
  });

  void it("logs every request with its action, status and RequestId", async () => {
    const res = await raw(emu, { ...listJobs, path: "/api/v1/jobs?PageSize=5" });
    const last = emu.requests().at(-1);
    assert.deepEqual(last, {
      action: "ListJobs",
      method: "GET",
      path: "/api/v1/jobs",
      status: 200,
      requestId: res.body.RequestId,
    });
  });
});
