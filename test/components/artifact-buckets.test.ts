import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { ArtifactBuckets, jobRolePolicyDocument } from "../../components/artifact-buckets";
import {
  REGION,
  mockRuntime,
  only,
  publicOutputNames,
  registeredOutputNames,
  resourcesOf,
  valueOf,
} from "./harness";

const T = {
  bucket: "alicloud:oss/bucket:Bucket",
  acl: "alicloud:oss/bucketAcl:BucketAcl",
  block: "alicloud:oss/bucketPublicAccessBlock:BucketPublicAccessBlock",
  role: "alicloud:ram/role:Role",
  policy: "alicloud:ram/policy:Policy",
  attachment: "alicloud:ram/rolePolicyAttachment:RolePolicyAttachment",
};
const names = (prefix: string) => ({
  datasets: `${prefix}-datasets`,
  checkpoints: `${prefix}-checkpoints`,
  models: `${prefix}-models`,
});

describe("ArtifactBuckets", () => {
  before(mockRuntime);

  it("makes three private, blocked, AES256-encrypted, versioned buckets by default", async () => {
    new ArtifactBuckets("ab-defaults", { bucketNames: names("t1"), roleName: "t1-role" });
    const rs = await resourcesOf("ab-defaults");
    const buckets = rs.filter((r) => r.type === T.bucket);
    assert.deepEqual(buckets.map((b) => b.inputs.bucket).sort(), [
      "t1-checkpoints",
      "t1-datasets",
      "t1-models",
    ]);
    for (const b of buckets) {
      assert.deepEqual(b.inputs.serverSideEncryptionRule, { sseAlgorithm: "AES256" });
      assert.deepEqual(b.inputs.versioning, { status: "Enabled" });
      assert.equal(b.inputs.forceDestroy, false);
      const rules = b.inputs.lifecycleRules as { id: string; expirations?: { days: number }[] }[];
      assert.equal(rules[0]!.id, "expire-noncurrent-versions");
      // Only checkpoints expire (after 30 days by default).
      const expiry = rules.find((r) => r.id === "expire-old-checkpoints");
      if (b.inputs.bucket === "t1-checkpoints") assert.deepEqual(expiry?.expirations, [{ days: 30 }]);
      else assert.equal(expiry, undefined);
    }
    assert.equal(rs.filter((r) => r.type === T.acl && r.inputs.acl === "private").length, 3);
    assert.equal(rs.filter((r) => r.type === T.block && r.inputs.blockPublicAccess === true).length, 3);
  });

  it("sends the KMS key only with KMS encryption", async () => {
    new ArtifactBuckets("ab-kms", {
      bucketNames: names("t2"),
      roleName: "t2-role",
      encryption: "KMS",
      kmsKeyId: "key-1",
    });
    new ArtifactBuckets("ab-aes", { bucketNames: names("t3"), roleName: "t3-role", kmsKeyId: "key-ignored" });
    for (const b of (await resourcesOf("ab-kms")).filter((r) => r.type === T.bucket)) {
      assert.deepEqual(b.inputs.serverSideEncryptionRule, { sseAlgorithm: "KMS", kmsMasterKeyId: "key-1" });
    }
    for (const b of (await resourcesOf("ab-aes")).filter((r) => r.type === T.bucket)) {
      assert.deepEqual(b.inputs.serverSideEncryptionRule, { sseAlgorithm: "AES256" });
    }
  });

  it("tags every bucket with its purpose beside the given tags, and honours the retention args", async () => {
    new ArtifactBuckets("ab-tags", {
      bucketNames: names("t4"),
      roleName: "t4-role",
      tags: { environment: "dev" },
      checkpointRetentionDays: 7,
      noncurrentVersionRetentionDays: 14,
    });
    const buckets = (await resourcesOf("ab-tags")).filter((r) => r.type === T.bucket);
    for (const b of buckets) {
      const purpose = String(b.inputs.bucket).replace("t4-", "");
      assert.deepEqual(b.inputs.tags, { purpose, "managed-by": "pai-finetune", environment: "dev" });
      const rules = b.inputs.lifecycleRules as {
        id: string;
        expirations?: { days: number }[];
        noncurrentVersionExpirations?: { days: number }[];
      }[];
      assert.deepEqual(rules[0]!.noncurrentVersionExpirations, [{ days: 14 }]);
      if (purpose === "checkpoints") assert.deepEqual(rules[1]!.expirations, [{ days: 7 }]);
    }
  });

  it("gives the job role a policy that names this component's buckets and nothing else", async () => {
    const ab = new ArtifactBuckets("ab-role", { bucketNames: names("t5"), roleName: "t5-role" });
    const rs = await resourcesOf("ab-role");
    const role = only(rs, T.role);
    assert.equal(role.inputs.roleName, "t5-role");
    const policy = only(rs, T.policy);
    assert.equal(policy.inputs.policyName, "t5-role-oss");
    assert.equal(policy.inputs.policyDocument, jobRolePolicyDocument(names("t5")));
    assert.deepEqual(only(rs, T.attachment).inputs, {
      roleName: "t5-role",
      policyName: "t5-role-oss",
      policyType: "Custom",
    });
    assert.equal(await valueOf(ab.roleName), "t5-role");
    assert.equal(await valueOf(ab.roleArn), "acs:ram::<account-id>:role/t5-role");
    assert.deepEqual(await valueOf(ab.bucketNames), names("t5"));
    assert.equal(await valueOf(ab.intranetEndpoints.models), `oss-${REGION}-internal.aliyuncs.com`);
    assert.equal(ab.readyResources.length, 4, "three buckets and the policy attachment");
  });

  it("registers every public output", () => {
    const ab = new ArtifactBuckets("ab-outputs", { bucketNames: names("t6"), roleName: "t6-role" });
    assert.deepEqual(registeredOutputNames(ab), publicOutputNames(ab));
  });
});
