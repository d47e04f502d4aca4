/**
 * The base of a review: the same stack file at a git revision (`git show <rev>:<path>` into a file
 * in the OS temp dir, removed afterwards), or another stack file.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

/** A base that cannot be read: the message says which revision or file and why. */
export class BaseError extends Error {
  override name = "BaseError";
}

function git(args: string[], cwd: string): string {
  return execFileSync("git", args, {
    cwd,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 64 * 1024 * 1024,
  });
}

function gitError(e: unknown): string {
  const err = e as { code?: string; stderr?: string | Buffer; message?: string };
  if (err.code === "ENOENT") return "git is not installed";
  const first = String(err.stderr ?? err.message ?? e)
    .trim()
    .split("\n")[0];
  return first ?? "git failed";
}

/**
 * Extracts the repository as it was at git revision `rev` into a fresh temp directory and returns
 * where `file` lies in it; `cleanup` removes it.
 * The revision must name a commit of the repository that holds `file`.
 */
export function checkoutAtRevision(
  file: string,
  rev: string,
): { file: string; label: string; cleanup: () => void } {
  if (rev.startsWith("-") || rev.includes("\0") || rev.trim() === "")
    throw new BaseError(`--base: "${rev}" is not a git revision`);
  const abs = path.resolve(file);
  const dir = path.dirname(abs);
  let top: string;
  try {
    top = git(["rev-parse", "--show-toplevel"], dir).trim();
  } catch (e) {
    throw new BaseError(`--base ${rev}: ${path.basename(abs)} is not in a git repository (${gitError(e)})`);
  }
  try {
    git(["rev-parse", "--verify", "--quiet", "--end-of-options", `${rev}^{commit}`], top);
  } catch {
    throw new BaseError(`--base ${rev}: no such git revision in ${top}`);
  }
  const rel = path.relative(top, abs).split(path.sep).join("/");
  let text: string;
  try {
    text = git(["show", `${rev}:${rel}`], top);
  } catch {
    throw new BaseError(`--base ${rev}: ${rel} does not exist at revision ${rev}`);
  }
  // The whole tree at that revision, not the file alone: a stack names files relative to itself
  // (datasets) and is bounded by its project (Pulumi.yaml), so the base plans with its own data.
  const tmp = mkdtempSync(path.join(tmpdir(), "pai-review-base-"));
  const copy = path.join(tmp, ...rel.split("/"));
  try {
    const tar = execFileSync("git", ["archive", "--format=tar", "--end-of-options", `${rev}^{commit}`], {
      cwd: top,
      maxBuffer: 1 << 30,
      stdio: ["ignore", "pipe", "pipe"],
    });
    execFileSync("tar", ["-x", "-C", tmp], { input: tar, stdio: ["pipe", "ignore", "pipe"] });
    if (text !== readFileSync(copy, "utf8"))
      throw new BaseError(`--base ${rev}: ${rel} did not extract intact`);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    if (e instanceof BaseError) throw e;
    throw new BaseError(`--base ${rev}: cannot extract the revision's files (${gitError(e)})`);
  }
  return {
    file: copy,
    label: `${rev}:${rel}`,
    cleanup: () => rmSync(tmp, { recursive: true, force: true }),
  };
}
