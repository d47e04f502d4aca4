/**
 * Atomic file replacement: the new bytes go to a temporary file in the same folder (same file
 * system, so rename is atomic), are fsynced, renamed over the target, and the folder is fsynced so
 * the rename itself survives a crash. A process killed at any point leaves the old file or the new
 * one, never a mix (POSIX rename(2); the pattern is the one SQLite and git use for their files).
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import { randomBytes } from "node:crypto";
import * as path from "node:path";

/**
 * Test hook only: milliseconds to pause between chunks of the temporary file, so the kill test can
 * land inside the write. Unset in normal use.
 */
const TEST_DELAY = Number(process.env.PAI_FINETUNE_TEST_WRITE_DELAY_MS ?? "0");

function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

export function atomicWriteFile(file: string, text: string): void {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  let mode = 0o644;
  try {
    mode = statSync(file).mode & 0o777;
  } catch {
    // a new file: default mode
  }
  const bytes = Buffer.from(text, "utf8");
  const fd = openSync(tmp, "wx", mode);
  // With the test hook on, say when the write starts, so the kill test can aim inside it.
  if (TEST_DELAY > 0) process.stderr.write("atomic-write: start\n");
  try {
    const chunk = TEST_DELAY > 0 ? 64 : bytes.length;
    for (let off = 0; off < bytes.length; off += chunk) {
      writeSync(fd, bytes, off, Math.min(chunk, bytes.length - off));
      if (TEST_DELAY > 0) pause(TEST_DELAY);
    }
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
  closeSync(fd);
  renameSync(tmp, file);
  const dfd = openSync(dir, "r");
  try {
    fsyncSync(dfd);
  } finally {
    closeSync(dfd);
  }
}
