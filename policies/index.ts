/**
 * The pai-finetune CrossGuard policy pack. Pulumi loads it with its own analyzer host
 * (@pulumi/pulumi/cmd/run-policy-pack: ts-node, type-checking on):
 *
 *   pulumi preview --policy-pack policies --policy-pack-config policies/config/prod.json
 *
 * Constructing the PolicyPack starts the analyzer's gRPC server; the policies themselves live in
 * their own modules (all.ts), which the offline plan runs without a server.
 */
import { PolicyPack } from "@pulumi/policy";
import { POLICIES } from "./all";

new PolicyPack("pai-finetune", {
  description: "GPU-memory and cost caps per method and environment, security and availability rules.",
  policies: [...POLICIES],
});
