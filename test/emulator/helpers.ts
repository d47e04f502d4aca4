// Test helpers: drive the emulator through the real @alicloud/openapi-client (ROA, v3 signature).
import OpenApi, * as $OpenApi from "@alicloud/openapi-client";
import * as $Util from "@alicloud/tea-util";
import { setTimeout as sleep } from "node:timers/promises";
import { type PaiEmulator } from "./index";

export const VERSION = { dlc: "2020-12-03", paistudio: "2022-01-12", eas: "2021-07-01" } as const;

export function client(emu: PaiEmulator, accessKeyId = "any-key", accessKeySecret = "any-secret"): OpenApi {
  return new OpenApi(
    new $OpenApi.Config({
      accessKeyId,
      accessKeySecret,
      endpoint: `127.0.0.1:${emu.port}`,
      protocol: "http",
    }),
  );
}

export interface CallOpts {
  body?: unknown;
  query?: Record<string, string>;
  readTimeout?: number;
}

export async function call(
  c: OpenApi,
  product: keyof typeof VERSION,
  action: string,
  method: string,
  pathname: string,
  opts: CallOpts = {},
): Promise<Record<string, unknown>> {
  const params = new $OpenApi.Params({
    action,
    version: VERSION[product],
    protocol: "HTTPS",
    pathname,
    method,
    authType: "AK",
    style: "ROA",
    reqBodyType: "json",
    bodyType: "json",
  });
  const req = new $OpenApi.OpenApiRequest({
    ...(opts.body === undefined ? {} : { body: opts.body }),
    ...(opts.query ? { query: opts.query } : {}),
  });
  const runtime = new $Util.RuntimeOptions({
    ...(opts.readTimeout ? { readTimeout: opts.readTimeout } : {}),
  });
  const res = (await c.callApi(params, req, runtime)) as { body: Record<string, unknown> };
  return res.body;
}

/** The fields of a tea ResponseError that tests look at. */
export interface CallError {
  code: string;
  statusCode: number;
  data: Record<string, unknown>;
  message: string;
}

export async function callError(p: Promise<unknown>): Promise<CallError> {
  try {
    await p;
  } catch (e) {
    return e as CallError;
  }
  throw new Error("expected the call to fail");
}

/** Polls until `check` returns true (bounded by attempts, not by wall-clock assertions). */
export async function waitFor(
  check: () => Promise<boolean> | boolean,
  attempts = 200,
  stepMs = 10,
): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    if (await check()) return;
    await sleep(stepMs);
  }
  throw new Error("condition not reached");
}

export function validJob(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    DisplayName: "sft-qwen_1.5",
    JobType: "PyTorchJob",
    UserCommand: "python train.py",
    WorkspaceId: "12345",
    JobSpecs: [{ Type: "Worker", Image: "registry/img:1", PodCount: 1, EcsSpec: "ecs.gn7i-c8g1.2xlarge" }],
    ...overrides,
  };
}
