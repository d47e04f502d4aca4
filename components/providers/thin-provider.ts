// The one shape of the four dynamic providers: every method loads components/providers/impl/<name>.ts
// at call time (see load-impl.ts for why) and forwards to it. Pulumi serializes the object returned
// here into state; it captures only `name` and loadProviderImpl.
import type * as pulumi from "@pulumi/pulumi";
import { loadProviderImpl } from "./load-impl";

/** What each impl module exports: the provider's methods, `delete` spelled `remove`. */
export interface ProviderImpl<I, O> {
  check(olds: I, news: I): Promise<pulumi.dynamic.CheckResult<I>>;
  diff(id: string, olds: O, news: I): Promise<pulumi.dynamic.DiffResult>;
  create(inputs: I): Promise<pulumi.dynamic.CreateResult<O>>;
  read(id: string, props?: O): Promise<pulumi.dynamic.ReadResult<O>>;
  update(id: string, olds: O, news: I): Promise<pulumi.dynamic.UpdateResult<O>>;
  remove(id: string, props: O): Promise<void>;
}

/**
 * The provider for impl/<name>.ts. `M` is the impl module's type (`typeof import("./impl/<name>")`),
 * checked at compile time against the inputs `I` and state `O`.
 */
export function thinProvider<I, O, M extends ProviderImpl<I, O>>(
  name: string,
): pulumi.dynamic.ResourceProvider<I, O> {
  const impl = () => loadProviderImpl(name) as M;
  return {
    check: (olds, news) => impl().check(olds, news),
    diff: (id, olds, news) => impl().diff(id, olds, news),
    create: (inputs) => impl().create(inputs),
    read: (id, props) => impl().read(id, props),
    update: (id, olds, news) => impl().update(id, olds, news),
    delete: (id, props) => impl().remove(id, props),
  };
}
