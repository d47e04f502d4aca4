// How a serialized dynamic provider finds its implementation at call time.
//
// Pulumi serializes a dynamic provider's closure into state (`__provider`) and evaluates it in the
// dynamic provider host, a plain Node process started in the project directory. Local modules a
// closure captures are serialized *by value* (clients, zod schemas, classes), which is fragile and
// would put client code into state. So provider methods stay thin: they call loadProviderImpl(),
// which `require`s components/providers/impl/<name>.ts from the project on disk at call time.
// `require`, `process` and `__dirname` are not captured by Pulumi's serializer (they mean the host's),
// so the only captured values are the two path strings below.

import type * as FsModule from "fs";
import type * as NodeModule from "module";
import type * as PathModule from "path";

/** Where the impl folder was when the program ran; a fallback if the host's cwd is not the project. */
const IMPL_DIR_AT_SERIALIZATION = `${__dirname}/impl`;

/**
 * Loads `components/providers/impl/<name>` (TypeScript). Looks under the process cwd and its parents
 * (the host runs in the project dir), then where the program found it. Registers a TypeScript loader
 * (tsx, else ts-node) when the host has none: the dynamic provider host is plain Node.
 */
export function loadProviderImpl(name: string): unknown {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const path = require("path") as typeof PathModule;
  const fs = require("fs") as typeof FsModule;
  const nodeModule = require("module") as typeof NodeModule;
  /* eslint-enable @typescript-eslint/no-require-imports */
  const candidates: string[] = [];
  for (let dir = process.cwd(), depth = 0; depth < 6; depth++) {
    candidates.push(path.join(dir, "components", "providers", "impl", `${name}.ts`));
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  candidates.push(path.join(IMPL_DIR_AT_SERIALIZATION, `${name}.ts`));
  const file = candidates.find((candidate) => fs.existsSync(candidate));
  if (!file) {
    throw new Error(`pai provider: cannot find impl/${name}.ts (looked in ${candidates.join(", ")})`);
  }
  const projectRequire = nodeModule.createRequire(file);
  const extensions = (nodeModule as unknown as { _extensions: Record<string, unknown> })._extensions;
  if (!extensions[".ts"]) {
    try {
      (projectRequire("tsx/cjs/api") as { register: () => unknown }).register();
    } catch {
      (projectRequire("ts-node") as { register: (o: object) => unknown }).register({ transpileOnly: true });
    }
  }
  return projectRequire(file);
}
