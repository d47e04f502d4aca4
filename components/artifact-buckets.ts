/**
 * OSS buckets for datasets, checkpoints and models, secure by default (private ACL, public access
 * blocked, server-side encryption, versioning, lifecycle rules), and the RAM role the PAI jobs
 * assume, whose policy names these buckets and nothing else.
 */
import * as alicloud from "@pulumi/alicloud";
import * as pulumi from "@pulumi/pulumi";
import type { BucketNames, BucketPurpose } from "../infra/layout";

const PURPOSES: readonly BucketPurpose[] = ["datasets", "checkpoints", "models"];

export interface ArtifactBucketsArgs {
  /** Bucket names, one per purpose. OSS names are global. */
  readonly bucketNames: BucketNames<pulumi.Input<string>>;
  /**
   * Server-side encryption: "AES256" (OSS-managed keys) or "KMS".
   * @default "AES256"
   */
  readonly encryption?: "AES256" | "KMS";
  /**
   * KMS key for "KMS" encryption; ignored otherwise.
   * @default the OSS default KMS key
   */
  readonly kmsKeyId?: pulumi.Input<string>;
  /**
   * Days after which checkpoints expire.
   * @default 30
   */
  readonly checkpointRetentionDays?: pulumi.Input<number>;
  /**
   * Days a non-current object version is kept.
   * @default 90
   */
  readonly noncurrentVersionRetentionDays?: pulumi.Input<number>;
  /**
   * Let `pulumi destroy` delete non-empty buckets (and lift the protection of models and datasets).
   * @default false
   */
  readonly forceDestroy?: boolean;
  /** Name of the RAM role the jobs assume (RAM role names are per account: 1-64 characters). */
  readonly roleName: pulumi.Input<string>;
  /**
   * Tags on every bucket, beside `purpose` and `managed-by`.
   * @default none
   */
  readonly tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /**
   * Model folders outside these buckets the jobs may read: promoted artifacts, as oss://bucket/path/.
   * @default none
   */
  readonly readArtifacts?: readonly string[];
}

/**
 * Who may assume the job role: the PAI service (DLC jobs and EAS services run as it). PAI's custom-role
 * guides name the trusted entity "Alibaba Cloud service: Platform for AI" (help/en/pai/user-guide/
 * configure-dsw-instance-ram-roles; the DLC page "Configure the DLC RAM role" describes the same kind of
 * role); no source found asks DLC for another principal. A RAM user who deploys needs ram:PassRole on it
 * (help/en/pai/user-guide/configure-the-eas-ram-role).
 */
export const JOB_ROLE_TRUSTED_SERVICES = ["pai.aliyuncs.com"];

/**
 * What a job needs of the bucket's customer-managed KMS key to read and write SSE-KMS objects: OSS
 * asks KMS for a data key on upload (kms:GenerateDataKey) and to decrypt it on download
 * (kms:Decrypt); a request without them fails with "This request is forbidden by kms"
 * (https://www.alibabacloud.com/help/en/oss/the-this-request-is-forbidden-by-kms-error-message-is-returned-when-you-upload-download-or-access-files-that-are-encrypted-by-using-kms,
 * which points to OSS's server-side encryption page for the list: kms:List*, kms:DescribeKey,
 * kms:GenerateDataKey, kms:Decrypt; https://www.alibabacloud.com/help/en/oss/user-guide/data-encryption/).
 * Granted on this key only; kms:List* cannot be narrowed to one key and is not needed to use one, so
 * it is left out. The default OSS-managed KMS key (no key pinned) needs no grant.
 */
export const KMS_KEY_ACTIONS = ["kms:GenerateDataKey", "kms:Decrypt", "kms:DescribeKey"];

/** The RAM resource of a KMS key given as its id (`key-…`) or as its ARN. */
export function kmsKeyArn(keyId: string): string {
  return keyId.startsWith("acs:kms:") ? keyId : `acs:kms:*:*:key/${keyId}`;
}

/**
 * The role's permissions, least privilege per purpose: datasets are read, checkpoints are read,
 * written and rotated, models are read and written but never deleted (a trained model is only
 * removed by a person, on purpose). With a pinned KMS key, the use of that key (KMS_KEY_ACTIONS).
 */
export function jobRolePolicyDocument(
  names: BucketNames,
  kmsKeyId?: string,
  readArtifacts: readonly string[] = [],
): string {
  const arns = (bucket: string) => [`acs:oss:*:*:${bucket}`, `acs:oss:*:*:${bucket}/*`];
  const statement = (actions: string[], bucket: string) => ({
    Effect: "Allow",
    Action: actions,
    Resource: arns(bucket),
  });
  const read = ["oss:GetObject", "oss:ListObjects", "oss:GetBucketInfo", "oss:GetObjectMeta"];
  const write = [
    "oss:PutObject",
    "oss:AbortMultipartUpload",
    "oss:ListParts",
    "oss:InitiateMultipartUpload",
    "oss:UploadPart",
    "oss:CompleteMultipartUpload",
  ];
  return JSON.stringify({
    Version: "1",
    Statement: [
      statement(read, names.datasets),
      statement([...read, ...write, "oss:DeleteObject"], names.checkpoints),
      statement([...read, ...write], names.models),
      // A promoted artifact: its objects only (and listing its bucket, which OSS grants per bucket).
      ...readArtifacts.flatMap((uri) => {
        const m = /^oss:\/\/([^/]+)\/(.*)$/.exec(uri);
        if (!m) return [];
        return [
          {
            Effect: "Allow",
            Action: ["oss:GetObject", "oss:GetObjectMeta"],
            Resource: [`acs:oss:*:*:${m[1]}/${m[2]}*`],
          },
          { Effect: "Allow", Action: ["oss:ListObjects"], Resource: [`acs:oss:*:*:${m[1]}`] },
        ];
      }),
      ...(kmsKeyId !== undefined
        ? [{ Effect: "Allow", Action: KMS_KEY_ACTIONS, Resource: [kmsKeyArn(kmsKeyId)] }]
        : []),
    ],
  });
}

export class ArtifactBuckets extends pulumi.ComponentResource {
  readonly bucketNames: BucketNames<pulumi.Output<string>>;
  /** Intranet endpoints, for OSS URIs that jobs mount without public traffic. */
  readonly intranetEndpoints: BucketNames<pulumi.Output<string>>;
  /** ARN of the job role, for a job's or service's `roleArn`. */
  readonly roleArn: pulumi.Output<string>;
  readonly roleName: pulumi.Output<string>;
  /** What a job needs to exist before it starts: the buckets and the role's policy attachment. */
  readonly readyResources: pulumi.Resource[];

  constructor(name: string, args: ArtifactBucketsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("pai-finetune:platform:ArtifactBuckets", name, {}, opts);
    const encryption = args.encryption ?? "AES256";
    const noncurrentDays = args.noncurrentVersionRetentionDays ?? 90;
    const checkpointDays = args.checkpointRetentionDays ?? 30;

    const forceDestroy = args.forceDestroy ?? false;
    const buckets = {} as Record<BucketPurpose, alicloud.oss.Bucket>;
    for (const purpose of PURPOSES) {
      const lifecycleRules: alicloud.types.input.oss.BucketLifecycleRule[] = [
        {
          id: "expire-noncurrent-versions",
          enabled: true,
          prefix: "",
          noncurrentVersionExpirations: [{ days: noncurrentDays }],
          abortMultipartUploads: [{ days: 7 }],
        },
      ];
      if (purpose === "checkpoints") {
        lifecycleRules.push({
          id: "expire-old-checkpoints",
          enabled: true,
          prefix: "",
          expirations: [{ days: checkpointDays }],
        });
      }
      const bucket = new alicloud.oss.Bucket(
        `${name}-${purpose}`,
        {
          bucket: args.bucketNames[purpose],
          serverSideEncryptionRule: {
            sseAlgorithm: encryption,
            kmsMasterKeyId: encryption === "KMS" ? args.kmsKeyId : undefined,
          },
          versioning: { status: "Enabled" },
          lifecycleRules,
          forceDestroy,
          tags: pulumi
            .output(args.tags ?? {})
            .apply((tags) => ({ purpose, "managed-by": "pai-finetune", ...tags })),
        },
        // Models and datasets outlive a mistaken `pulumi destroy` unless forceDestroy is set on purpose.
        { parent: this, protect: purpose !== "checkpoints" && !forceDestroy },
      );
      new alicloud.oss.BucketAcl(
        `${name}-${purpose}-acl`,
        { bucket: bucket.bucket, acl: "private" },
        { parent: bucket },
      );
      new alicloud.oss.BucketPublicAccessBlock(
        `${name}-${purpose}-block-public`,
        { bucket: bucket.bucket, blockPublicAccess: true },
        { parent: bucket },
      );
      buckets[purpose] = bucket;
    }

    const role = new alicloud.ram.Role(
      `${name}-job-role`,
      {
        roleName: args.roleName,
        description:
          "Assumed by PAI-DLC jobs and PAI-EAS services of pai-finetune; reaches only this stack's buckets.",
        assumeRolePolicyDocument: JSON.stringify({
          Version: "1",
          Statement: [
            { Effect: "Allow", Action: "sts:AssumeRole", Principal: { Service: JOB_ROLE_TRUSTED_SERVICES } },
          ],
        }),
      },
      { parent: this },
    );
    const policy = new alicloud.ram.Policy(
      `${name}-job-policy`,
      {
        policyName: pulumi.interpolate`${args.roleName}-oss`,
        description: "Read datasets, read/write/rotate checkpoints, read/write (never delete) models.",
        policyDocument: pulumi
          .all([
            pulumi.all(PURPOSES.map((p) => buckets[p].bucket)),
            encryption === "KMS" ? args.kmsKeyId : undefined,
          ])
          .apply(([[datasets, checkpoints, models], kmsKeyId]) =>
            jobRolePolicyDocument(
              { datasets: datasets!, checkpoints: checkpoints!, models: models! },
              kmsKeyId,
              args.readArtifacts ?? [],
            ),
          ),
      },
      { parent: this },
    );
    const attachment = new alicloud.ram.RolePolicyAttachment(
      `${name}-job-policy-attachment`,
      { roleName: role.roleName, policyName: policy.policyName, policyType: "Custom" },
      { parent: this },
    );

    this.bucketNames = {
      datasets: buckets.datasets.bucket,
      checkpoints: buckets.checkpoints.bucket,
      models: buckets.models.bucket,
    };
    this.intranetEndpoints = {
      datasets: buckets.datasets.intranetEndpoint,
      checkpoints: buckets.checkpoints.intranetEndpoint,
      models: buckets.models.intranetEndpoint,
    };
    this.readyResources = [...PURPOSES.map((p) => buckets[p]), attachment];
    this.roleArn = role.arn;
    this.roleName = role.roleName;
    this.registerOutputs({
      bucketNames: this.bucketNames,
      intranetEndpoints: this.intranetEndpoints,
      roleArn: this.roleArn,
      roleName: this.roleName,
    });
  }
}
