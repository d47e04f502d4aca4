/**
 * bucket-security (mandatory): every OSS bucket is encrypted at rest (KMS where the environment
 * asks for it), versioned, private, and has its public access blocked.
 */
import type { PolicyResource } from "@pulumi/policy";
import { definePolicy, type Finding } from "./lib/define";
import { ofType, read, TYPES } from "./lib/resources";

export interface BucketSecurityConfig {
  /** Require KMS (customer-managed keys) rather than OSS-managed AES256. */
  requireKms: boolean;
}

export const bucketSecurity = definePolicy<BucketSecurityConfig>({
  name: "bucket-security",
  description: "OSS buckets are encrypted, versioned, private and block public access.",
  enforcementLevel: "mandatory",
  configSchema: { properties: { requireKms: { type: "boolean", default: false } } },
  evaluate: (resources, config) => {
    const out: Finding[] = [];
    const byBucket = (type: string) => {
      const m = new Map<string, PolicyResource>();
      for (const r of ofType(resources, type)) {
        const b = read(() => r.props.bucket as string);
        if (b.known && typeof b.value === "string") m.set(b.value, r);
      }
      return m;
    };
    const acls = byBucket(TYPES.bucketAcl);
    const blocks = byBucket(TYPES.bucketPublicAccessBlock);
    for (const r of ofType(resources, TYPES.bucket)) {
      const name = read(() => r.props.bucket as string);
      const shown = name.known ? name.value : r.name;
      const sse = read(
        () => (r.props.serverSideEncryptionRule as { sseAlgorithm?: string } | undefined)?.sseAlgorithm,
      );
      if (!sse.known)
        out.push({
          resource: r,
          message: `bucket ${shown}: encryption (${sse.path}) is unknown at preview; fails closed`,
        });
      else if (sse.value !== "AES256" && sse.value !== "KMS")
        out.push({
          resource: r,
          message: `bucket ${shown} is not encrypted at rest: set serverSideEncryptionRule (AES256 or KMS)`,
        });
      else if (config.requireKms && sse.value !== "KMS")
        out.push({
          resource: r,
          message: `bucket ${shown} uses ${sse.value}; this environment requires KMS (storage.encryption: KMS)`,
        });
      const versioning = read(() => (r.props.versioning as { status?: string } | undefined)?.status);
      if (versioning.known && versioning.value !== "Enabled")
        out.push({
          resource: r,
          message: `bucket ${shown} is not versioned: an overwritten model or dataset could not be recovered`,
        });
      if (!name.known) continue;
      const acl = acls.get(name.value);
      const aclValue = acl ? read(() => acl.props.acl as string) : undefined;
      if (!acl || (aclValue?.known && aclValue.value !== "private"))
        out.push({
          resource: acl ?? r,
          message: `bucket ${shown} is not private (ACL ${aclValue?.known ? aclValue.value : "not set"})`,
        });
      const block = blocks.get(name.value);
      const blocked = block ? read(() => block.props.blockPublicAccess as boolean) : undefined;
      if (!block || (blocked?.known && blocked.value !== true))
        out.push({
          resource: block ?? r,
          message: `bucket ${shown} does not block public access (BucketPublicAccessBlock)`,
        });
    }
    return out;
  },
});
