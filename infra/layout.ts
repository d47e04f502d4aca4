/**
 * The storage and container layout every layer agrees on: the three buckets of a stack and the
 * paths inside the containers where their objects are mounted. `infra/resolve` writes the commands
 * that read these paths; the components mount OSS there. A leaf module (no imports), so neither
 * layer has to import the other.
 */

/** What a stack's buckets hold. */
export type BucketPurpose = "datasets" | "checkpoints" | "models";

/** The stack's bucket names, one per purpose: plain strings in the resolved stack, Outputs on a component. */
export type BucketNames<T = string> = { readonly [P in BucketPurpose]: T };

/** Where the OSS data sources are mounted inside the job and service containers. */
export const MOUNTS = {
  data: "/mnt/data",
  baseModel: "/mnt/base-model",
  output: "/mnt/output",
  checkpoints: "/mnt/checkpoints",
  servedModel: "/mnt/model",
  adapter: "/mnt/adapter",
} as const;
