/**
 * One component under the Pulumi SDK's mock runtime, as pulumi-awsx tests its components
 * (awsx/ecs/fargateService.test.ts): construct it, wait for the registrations, read what the mock
 * monitor received and what the component exposes.
 */
import * as pulumi from "@pulumi/pulumi";
import { RecordingMocks, waitForRegistrations, type RegisteredResource } from "../../infra/plan/mock-runtime";

export const REGION = "cn-wulanchabu";

const registered = new WeakMap<pulumi.ComponentResource, Record<string, unknown>>();
// registerOutputs is protected; the test reaches it through the prototype.
const proto = pulumi.ComponentResource.prototype as unknown as {
  registerOutputs(this: pulumi.ComponentResource, outputs?: Record<string, unknown>): void;
};
// eslint-disable-next-line @typescript-eslint/unbound-method -- called below with the component as `this`
const originalRegisterOutputs = proto.registerOutputs;
// Records what each component passes to registerOutputs (the SDK calls it once more, empty, after
// the constructor; that call is ignored as the SDK ignores it).
proto.registerOutputs = function (outputs) {
  if (outputs !== undefined && !registered.has(this)) registered.set(this, outputs);
  originalRegisterOutputs.call(this, outputs);
};

let mocks: RecordingMocks | undefined;

/** Sets the mock runtime up once per test file; returns the recorder. */
export async function mockRuntime(): Promise<RecordingMocks> {
  if (!mocks) {
    mocks = new RecordingMocks(REGION);
    await pulumi.runtime.setMocks(mocks, "pai-finetune", "test", true);
  }
  return mocks;
}

/** Every custom resource registered so far whose name starts with `prefix`, after the registrations settle. */
export async function resourcesOf(prefix: string): Promise<RegisteredResource[]> {
  const m = await mockRuntime();
  await waitForRegistrations();
  return m.resources.filter((r) => r.custom && r.name.startsWith(prefix));
}

/** The one resource of `type` among `resources`; fails when there are none or several. */
export function only(resources: RegisteredResource[], type: string): RegisteredResource {
  const found = resources.filter((r) => r.type === type);
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0]!;
}

/** An Output's (or a record of Outputs') value. */
export function valueOf<T>(output: pulumi.Input<T>): Promise<pulumi.Unwrap<T>> {
  return new Promise((resolve) => pulumi.output(output).apply((v) => resolve(v)));
}

/** The names of the component's public Output properties (direct, or records of Outputs). */
export function publicOutputNames(component: pulumi.ComponentResource): string[] {
  return Object.entries(component)
    .filter(([key, value]) => !key.startsWith("__") && key !== "urn" && isOutputOrRecord(value))
    .map(([key]) => key)
    .sort();
}

function isOutputOrRecord(value: unknown): boolean {
  if (pulumi.Output.isInstance(value)) return true;
  return (
    typeof value === "object" &&
    value !== null &&
    !pulumi.Resource.isInstance(value) &&
    !Array.isArray(value) &&
    Object.values(value).length > 0 &&
    Object.values(value).every(isOutputOrRecord)
  );
}

/** The names the component passed to registerOutputs. */
export function registeredOutputNames(component: pulumi.ComponentResource): string[] {
  return Object.keys(registered.get(component) ?? {}).sort();
}
