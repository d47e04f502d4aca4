/**
 * The engine's unknown-value machinery of @pulumi/policy: `unknownCheckingProxy` (how the analyzer
 * wraps props) and `UnknownValueError` (what reading an unknown throws). The package exports both
 * from its index at run time, but its published type declarations strip them (`proxy.d.ts` is
 * empty), so they are typed here once.
 */
import * as policySdk from "@pulumi/policy";

interface UnknownValueErrorShape extends Error {
  /** The property path that was unknown. */
  props: PropertyKey[];
}

const sdk = policySdk as unknown as {
  unknownCheckingProxy<T extends object>(value: T): T;
  UnknownValueError: new (...args: never[]) => UnknownValueErrorShape;
};

export const unknownCheckingProxy = <T extends object>(value: T): T => sdk.unknownCheckingProxy(value);

export function isUnknownValueError(err: unknown): err is UnknownValueErrorShape {
  return err instanceof sdk.UnknownValueError;
}
