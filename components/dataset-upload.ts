/**
 * One validated local dataset uploaded to the datasets bucket as an OSS object, under its content
 * version (`by-version/<sha256>/data.jsonl`): the same bytes are one object whatever the number of
 * jobs or stack updates, and a changed file is a new key (so a new resource; the old object's delete
 * leaves a delete marker and the bucket's versioning keeps its bytes as a non-current version for
 * `noncurrentVersionRetentionDays`).
 *
 * `source` is the file's path relative to the project directory, where `pulumi up` runs the
 * provider, so the state holds no machine path; `contentMd5` makes OSS refuse an upload whose bytes
 * are not the ones that were validated (the file changed between the plan and the upload).
 */
import * as alicloud from "@pulumi/alicloud";
import * as pulumi from "@pulumi/pulumi";

export interface DatasetUploadArgs {
  /** Datasets bucket name (an Output of the bucket, so the upload waits for it). Required. */
  readonly bucket: pulumi.Input<string>;
  /** Object key, content-addressed (`datasetKey(version)`). Required. */
  readonly key: string;
  /** The file, relative to the project directory, '/'-separated. Required. */
  readonly source: string;
  /** Hex MD5 of the validated bytes. Required. */
  readonly md5: string;
  /** Server-side encryption of the object. @default "AES256" */
  readonly encryption?: "AES256" | "KMS";
  /** KMS key for "KMS" encryption. @default the OSS default KMS key */
  readonly kmsKeyId?: string;
}

export class DatasetUpload extends pulumi.ComponentResource {
  /** Bucket-relative key of the uploaded object. */
  readonly key: pulumi.Output<string>;
  /** The object resource: a job that reads the data depends on it. */
  readonly object: alicloud.oss.BucketObject;

  constructor(name: string, args: DatasetUploadArgs, opts?: pulumi.ComponentResourceOptions) {
    super("pai-finetune:platform:DatasetUpload", name, {}, opts);
    if (args.source.startsWith("/") || args.source.split("/").includes(".."))
      throw new Error(
        `DatasetUpload ${name}: source must be relative to the project directory, got ${args.source}`,
      );
    const encryption = args.encryption ?? "AES256";
    this.object = new alicloud.oss.BucketObject(
      name,
      {
        bucket: args.bucket,
        key: args.key,
        source: args.source,
        contentMd5: args.md5,
        contentType: "application/jsonl",
        acl: "private",
        serverSideEncryption: encryption,
        ...(encryption === "KMS" && args.kmsKeyId !== undefined ? { kmsKeyId: args.kmsKeyId } : {}),
      },
      { parent: this },
    );
    this.key = this.object.key;
    this.registerOutputs({ key: this.key });
  }
}
