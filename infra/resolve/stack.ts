/**
 * StackConfig → ResolvedStack: the catalog with the stack's additions, bucket names, the quota, every
 * job and service resolved. All cross-field problems are collected and thrown together as one
 * ConfigError, so a user fixes the whole file in one pass.
 */
import { loadCatalog, type Catalog, type InstanceType, type CatalogModel } from "../catalog";
import { ConfigError, type ConfigIssue } from "../config/errors";
import {
  readStackFile,
  parseStackConfig,
  runtimeStackConfig,
  yamlPathOf,
  type RawStackConfig,
} from "../config/load";
import type { StackConfig } from "../config/schema";
import { DatasetReader } from "../data/stack-dataset";
import { resolveJob } from "./jobs";
import type { JobSuggestion } from "./savings";
import { catalogLookup } from "./lookup";
import { resolveService } from "./services";
import type { ResolvedJob, ResolvedQuota, ResolvedService, ResolvedStack } from "./types";

const P = (key: string) => `pai-finetune:${key}`;

/** Validates a raw config (from a file or the engine) all the way to a ResolvedStack. */
export function resolveStack(raw: RawStackConfig, stack: string): ResolvedStack {
  const config = parseStackConfig(raw);
  const issues: ConfigIssue[] = [];
  const catalog = loadStackCatalog(config, raw, issues);
  const resolved = catalog ? resolve(config, catalog, stack, raw.file, issues) : undefined;
  if (issues.length > 0 || !resolved) {
    throw new ConfigError(
      raw.file,
      issues.map((i) => ({ ...i, line: i.line ?? raw.lineOf(i.path) })),
    );
  }
  return resolved;
}

/** Reads `stacks/Pulumi.<stack>.yaml` (or any file) straight into a ResolvedStack: what the offline tools use. */
export function resolveStackFile(file: string, stack: string): ResolvedStack {
  return resolveStack(readStackFile(file), stack);
}

/**
 * What `pulumi up` resolves: the config the engine handed to the program (`pulumi.runtime.allConfig()`,
 * objects as JSON text). `file` is the stack file, read only to point a message at a line; default
 * `stacks/Pulumi.<stack>.yaml`. No cache: a caller that needs the result twice keeps it.
 */
export function resolveStackFromRuntime(
  allConfig: Record<string, string>,
  stack: string,
  file?: string,
): ResolvedStack {
  return resolveStack(runtimeStackConfig(allConfig, stack, file), stack);
}

function loadStackCatalog(
  config: StackConfig,
  raw: RawStackConfig,
  issues: ConfigIssue[],
): Catalog | undefined {
  try {
    return loadCatalog({
      models: config.catalog.models as CatalogModel[],
      instances: config.catalog.instances as InstanceType[],
      region: config.region,
    });
  } catch (err) {
    // The catalog reports its own key paths (models[2].hiddenSize); anchor them under our key.
    if (err instanceof ConfigError) {
      issues.push(
        ...err.issues.map((i) => ({
          ...i,
          path: [P("catalog"), ...i.path],
          line: raw.lineOf([P("catalog"), ...i.path]),
        })),
      );
    } else {
      issues.push({ path: [P("catalog")], message: err instanceof Error ? err.message : String(err) });
    }
    return undefined;
  }
}

function resolve(
  config: StackConfig,
  catalog: Catalog,
  stack: string,
  file: string,
  issues: ConfigIssue[],
): ResolvedStack | undefined {
  const buckets = {
    datasets: `${config.storage.bucketPrefix}-datasets`,
    checkpoints: `${config.storage.bucketPrefix}-checkpoints`,
    models: `${config.storage.bucketPrefix}-models`,
  };
  if (config.storage.kmsKeyId !== undefined && config.storage.encryption !== "KMS") {
    issues.push({ path: [P("storage"), "kmsKeyId"], message: 'applies only with encryption: "KMS"' });
  }

  const quota = config.quota ? resolveQuota(config, catalog, issues) : undefined;

  const names = new Map<string, number>();
  config.jobs.forEach((j, i) => {
    const seen = names.get(j.name);
    if (seen !== undefined)
      issues.push({
        path: [P("jobs"), i, "name"],
        message: `duplicate job name ${JSON.stringify(j.name)} (also jobs[${seen}])`,
      });
    names.set(j.name, i);
  });
  const jobs: ResolvedJob[] = [];
  const datasets = new DatasetReader(file);
  const advice = new Map<string, JobSuggestion[]>(); // identical pinned jobs share their advisory
  config.jobs.forEach((job, i) => {
    const resolved = resolveJob(
      job,
      {
        catalog,
        config,
        buckets,
        ...(quota ? { quota } : {}),
        datasets,
        at: [P("jobs"), i],
        advice,
        file,
        stack,
      },
      issues,
    );
    if (resolved) jobs.push(resolved);
  });

  const jobMap = new Map(jobs.map((j) => [j.name, j]));
  // One set for every service (it was rebuilt per service: jobs × services).
  const jobNames: ReadonlySet<string> = new Set(names.keys());
  const serviceNames = new Map<string, number>();
  const services: ResolvedService[] = [];
  config.services.forEach((svc, i) => {
    const seen = serviceNames.get(svc.name);
    if (seen !== undefined)
      issues.push({
        path: [P("services"), i, "name"],
        message: `duplicate service name ${JSON.stringify(svc.name)} (also services[${seen}])`,
      });
    serviceNames.set(svc.name, i);
    const resolved = resolveService(
      svc,
      { catalog, config, jobs: jobMap, jobNames, at: [P("services"), i] },
      issues,
    );
    if (resolved) services.push(resolved);
  });
  if (issues.length > 0) return undefined;

  const envTypes = config.workspace.envTypes ?? (config.environment === "prod" ? ["prod"] : ["dev", "prod"]);
  return {
    stack,
    file,
    region: config.region,
    environment: config.environment,
    config,
    catalog,
    workspace: {
      name: config.workspace.name,
      displayName: config.workspace.displayName ?? config.workspace.name,
      description: config.workspace.description ?? `pai-finetune ${config.environment}`,
      envTypes,
      ...(config.workspace.resourceGroupId ? { resourceGroupId: config.workspace.resourceGroupId } : {}),
    },
    buckets,
    storage: config.storage,
    ...(quota ? { quota } : {}),
    jobs,
    services,
    ...(config.promotion ? { promotion: config.promotion } : {}),
  };
}

function resolveQuota(
  config: StackConfig,
  catalog: Catalog,
  issues: ConfigIssue[],
): ResolvedQuota | undefined {
  const q = config.quota!;
  const at = [P("quota")];
  const node = catalogLookup(catalog, "instance", q.nodeSpec, (m) =>
    issues.push({ path: [...at, "nodeSpec"], message: m }),
  );
  if (!node) return undefined;
  if (!node.usage.includes("lingjun")) {
    issues.push({
      path: [...at, "nodeSpec"],
      message: `${node.id} is not a Lingjun node spec (usage: ${node.usage.join(", ")}); pick an instance with usage "lingjun"`,
    });
    return undefined;
  }
  if (q.resourceGroupIds.length === 0 && q.parentQuotaId === undefined) {
    issues.push({
      path: at,
      message:
        "expected resourceGroupIds (a root quota carved from Lingjun resource groups) or parentQuotaId (a share of an existing quota)",
    });
    return undefined;
  }
  if (q.resourceGroupIds.length > 0 && q.parentQuotaId !== undefined) {
    issues.push({
      path: [...at, "resourceGroupIds"],
      message:
        "only a root quota takes resourceGroupIds; a child quota (parentQuotaId) draws on its parent's nodes (docs/sources.md#pai-3.2)",
    });
    return undefined;
  }
  return {
    name: q.name ?? `${config.workspace.name.replace(/_/g, "-")}-quota`,
    instance: node,
    nodes: q.nodes,
    gpuModel: node.gpuModel,
    gpuCount: node.gpuCount * q.nodes,
    resourceGroupIds: q.resourceGroupIds,
    ...(q.parentQuotaId !== undefined ? { parentQuotaId: q.parentQuotaId } : {}),
    queueStrategy: q.queueStrategy,
  };
}

export { yamlPathOf };
