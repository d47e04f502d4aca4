// How a serialized dynamic provider finds its implementation at call time.
//
// Pulumi serializes a dynamic provider's closure into state (`__provider`) and evaluates it in the
// dynamic provider host, a plain Node process started in the project directory. Local modules a
// closure captures are serialized *by value* (clients, zod schemas, classes), which is fragile and
// would put client code into state. So provider methods stay thin: they call loadProviderImpl(),
// which `require`s components/providers/impl/<name>.ts from the project on disk at call time.
// `require`, `process` and `__dirname` are not captured by Pulumi's serializer (they mean the host's),
// and this module captures no value at all: no path of the machine that ran the program reaches
// state, and two checkouts at different paths serialize to the same text
// (test/providers/serialization.test.ts).

import type * as FsModule from "fs";
import type * as NodeModule from "module";
import type * as PathModule from "path";

/**
 * Loads `components/providers/impl/<name>` (TypeScript) from the project the host runs in: the
 * process cwd and its parents (the CLI starts the host in the project directory), then the project
 * that holds the host's own script (`require.main`, which the CLI runs from the project's
 * node_modules/@pulumi/pulumi). Registers a TypeScript loader (tsx, else ts-node) when the host has
 * none: the dynamic provider host is plain Node.
 */
export function loadProviderImpl(name: string): unknown {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const path = require("path") as typeof PathModule;
  const fs = require("fs") as typeof FsModule;
  const nodeModule = require("module") as typeof NodeModule;
  /* eslint-enable @typescript-eslint/no-require-imports */
  const candidates: string[] = [];
  const upFrom = (start: string, levels: number) => {
    for (let dir = start, depth = 0; depth < levels; depth++) {
      candidates.push(path.join(dir, "components", "providers", "impl", `${name}.ts`));
      const parent = path.dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  };
  upFrom(process.cwd(), 6);
  // <project>/node_modules/@pulumi/pulumi/cmd/dynamic-provider/index.js is 6 levels below <project>.
  if (require.main?.filename) upFrom(path.dirname(require.main.filename), 8);
  const file = candidates.find((candidate) => fs.existsSync(candidate));
  if (!file) {
    throw new Error(
      `pai provider: cannot find components/providers/impl/${name}.ts under ${process.cwd()} or its parents; run pulumi from the project directory`,
    );
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
