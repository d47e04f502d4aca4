import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { DatasetUpload } from "../../components/dataset-upload";
import { mockRuntime, only, publicOutputNames, registeredOutputNames, resourcesOf, valueOf } from "./harness";

const T = "alicloud:oss/bucketObject:BucketObject";
const MD5 = "0123456789abcdef0123456789abcdef";

describe("DatasetUpload", () => {
  before(mockRuntime);

  it("uploads the project-relative file under its key, private, AES256, checked by MD5", async () => {
    const up = new DatasetUpload("up-defaults", {
      bucket: "team-datasets",
      key: "by-version/abc/data.jsonl",
      source: "stacks/datasets/x/train.jsonl",
      md5: MD5,
    });
    const r = only(await resourcesOf("up-defaults"), T);
    assert.deepEqual(r.inputs, {
      bucket: "team-datasets",
      key: "by-version/abc/data.jsonl",
      source: "stacks/datasets/x/train.jsonl",
      contentMd5: MD5,
      contentType: "application/jsonl",
      acl: "private",
      serverSideEncryption: "AES256",
    });
    assert.equal(await valueOf(up.key), "by-version/abc/data.jsonl");
    assert.deepEqual(publicOutputNames(up), registeredOutputNames(up));
  });

  it("KMS with a pinned key", async () => {
    new DatasetUpload("up-kms", {
      bucket: "b",
      key: "k",
      source: "d.jsonl",
      md5: MD5,
      encryption: "KMS",
      kmsKeyId: "key-1",
    });
    const r = only(await resourcesOf("up-kms"), T);
    assert.equal(r.inputs.serverSideEncryption, "KMS");
    assert.equal(r.inputs.kmsKeyId, "key-1");
  });

  it("refuses a source that is absolute or leaves the project", () => {
    for (const source of ["/srv/data/train.jsonl", "../outside.jsonl", "a/../../b.jsonl"])
      assert.throws(
        () => new DatasetUpload(`up-bad-${source.length}`, { bucket: "b", key: "k", source, md5: MD5 }),
        /source must be relative to the project directory/,
      );
  });
});
