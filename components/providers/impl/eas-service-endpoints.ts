// EAS service endpoints provider logic (docs/sources.md#pai-2.1 DescribeService, docs/sources.md#pai-2.3). Loaded at call
// time by ../eas-service-endpoints.ts. The resource only reads: create/read/update describe the
// service, delete does nothing (the service belongs to alicloud.pai.Service).
import { z } from "zod";
import { EasClient, type Service } from "../../../infra/pai";
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { type EasServiceEndpointsInputs, type EasServiceEndpointsOutputs } from "../eas-service-endpoints";
import { checkInputs, clientOptions, definedOnly, diffKeys, regionIdSchema, unlessNotFound } from "./common";

/** Another service or region is another resource: replace. */
export const REPLACE_KEYS = ["region", "serviceName"] as const;

const inputsSchema = z
  .object({
    region: regionIdSchema,
    serviceName: z.string().trim().min(1, "must not be empty"),
    endpoint: z.string().optional(),
  })
  .partial();
const REQUIRED = ["region", "serviceName"] as const;

/** Validates inputs; unknown preview values are skipped. */
export function check(
  _olds: EasServiceEndpointsInputs,
  news: EasServiceEndpointsInputs,
): Promise<dynamic.CheckResult<EasServiceEndpointsInputs>> {
  return Promise.resolve({ inputs: news, failures: checkInputs(news, REQUIRED, inputsSchema) });
}

/** serviceName/region → replace; the endpoint override has no diff. */
export function diff(
  _id: string,
  olds: EasServiceEndpointsOutputs,
  news: EasServiceEndpointsInputs,
): Promise<dynamic.DiffResult> {
  const d = diffKeys(olds as never, news as never, REPLACE_KEYS, []);
  return Promise.resolve({ changes: d.changes, replaces: d.replaces, deleteBeforeReplace: false });
}

const client = (inputs: Pick<EasServiceEndpointsInputs, "region" | "endpoint">) =>
  new EasClient(clientOptions(inputs.region, inputs.endpoint));
const resourceId = (inputs: EasServiceEndpointsInputs) => `${inputs.region}/${inputs.serviceName}`;

function outputs(inputs: EasServiceEndpointsInputs, service: Service): EasServiceEndpointsOutputs {
  return definedOnly({
    ...inputs,
    // Empty strings, not undefined: stack outputs stay stable while a service has no public endpoint.
    internetEndpoint: service.internetEndpoint ?? "",
    intranetEndpoint: service.intranetEndpoint ?? "",
    serviceId: service.serviceId ?? "",
    status: service.status,
  });
}

/** DescribeService; a missing service is an error (the resource is created after the service). */
export async function create(
  inputs: EasServiceEndpointsInputs,
): Promise<dynamic.CreateResult<EasServiceEndpointsOutputs>> {
  const service = await client(inputs).describeService(inputs.serviceName);
  return { id: resourceId(inputs), outs: outputs(inputs, service) };
}

/** Refreshes the endpoints; a service that is gone makes this resource gone (empty id). */
export async function read(
  id: string,
  props?: EasServiceEndpointsOutputs,
): Promise<dynamic.ReadResult<EasServiceEndpointsOutputs>> {
  if (!props)
    throw new Error(`EAS service endpoints ${id}: cannot read without prior state (import is not supported)`);
  const service = await unlessNotFound(client(props).describeService(props.serviceName));
  return service ? { id, props: outputs(props, service) } : { id: "", props: undefined };
}

/** Only the endpoint override can change in place: read again. */
export async function update(
  _id: string,
  _olds: EasServiceEndpointsOutputs,
  news: EasServiceEndpointsInputs,
): Promise<dynamic.UpdateResult<EasServiceEndpointsOutputs>> {
  const service = await client(news).describeService(news.serviceName);
  return { outs: outputs(news, service) };
}

/** No-op: this resource owns nothing; the service is deleted by its own resource. */
export function remove(_id: string, _props: EasServiceEndpointsOutputs): Promise<void> {
  return Promise.resolve();
}
