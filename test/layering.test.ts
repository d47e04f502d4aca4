/**
 * The layering of README's diagram, as a check: config → resolve → program ← components, one way.
 * The components know nothing of the stack file or its resolution (they take Args); the resolution
 * knows nothing of Pulumi components; only `infra/program.ts` sees both.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";

const ROOT = path.resolve(__dirname, "..");

/** Where a file may not reach: repo-relative path prefixes. */
const RULES: { from: string; forbid: string[] }[] = [
  {
    from: "components/",
    forbid: [
      "infra/config/",
      "infra/resolve/",
      "infra/program.ts",
      "infra/index.ts",
      "infra/plan/",
      "infra/cli/",
    ],
  },
  { from: "infra/resolve/", forbid: ["components/", "infra/program.ts", "infra/plan/", "infra/cli/"] },
  { from: "infra/config/", forbid: ["components/", "infra/resolve/", "infra/program.ts", "infra/plan/"] },
  { from: "infra/layout.ts", forbid: ["components/", "infra/"] },
  { from: "infra/program.ts", forbid: ["infra/plan/", "infra/cli/"] },
];

function tsFiles(dir: string): string[] {
  const abs = path.join(ROOT, dir);
  if (fs.statSync(abs).isFile()) return [dir];
  return fs
    .readdirSync(abs, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts"))
    .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)));
}

/** Repo-relative targets of a file's relative imports (`from "…"`, `require("…")`, `import("…")`). */
function importsOf(file: string, text: string): string[] {
  const specs = [...text.matchAll(/(?:\bfrom\s+|\brequire\(\s*|\bimport\(\s*)"(\.[^"]*)"/g)].map(
    (m) => m[1]!,
  );
  return specs.map((s) => {
    const target = path.relative(ROOT, path.resolve(ROOT, path.dirname(file), s));
    const isDir =
      fs.existsSync(path.join(ROOT, target)) && fs.statSync(path.join(ROOT, target)).isDirectory();
    return isDir ? `${target}/` : target.endsWith(".ts") ? target : `${target}.ts`;
  });
}

describe("layering", () => {
  it("the import scanner sees static, require and dynamic imports", () => {
    const text = `import { a } from "../infra/resolve/types";\nconst b = require("./x");\nawait import("../infra/plan");`;
    assert.deepEqual(importsOf("components/y.ts", text), [
      "infra/resolve/types.ts",
      "components/x.ts",
      "infra/plan/",
    ]);
  });

  for (const rule of RULES) {
    it(`${rule.from} imports none of ${rule.forbid.join(", ")}`, () => {
      const files = tsFiles(rule.from);
      assert.ok(files.length > 0, rule.from);
      const bad = files.flatMap((file) =>
        importsOf(file, fs.readFileSync(path.join(ROOT, file), "utf8"))
          .filter((target) => rule.forbid.some((f) => target.startsWith(f)))
          .map((target) => `${file} → ${target}`),
      );
      assert.deepEqual(bad, []);
    });
  }
});
