// Typed PAI clients (DLC jobs, PAIStudio quotas, EAS autoscaler) on @alicloud/openapi-client.
export * from "./call";
export * from "./credentials";
export * from "./dlc";
export * from "./eas";
export * from "./endpoints";
export * from "./env-settings";
export * from "./errors";
export * from "./idempotent-create";
export * from "./quotas";
export * from "./region";
export * from "./retry";
