/**
 * The content version of a dataset file: the lowercase hex SHA-256 of its bytes. The same bytes
 * always give the same version, whatever the file is called or where it lies, so an upload keyed by
 * it is never repeated and an evaluation names exactly the data it scored. Streamed: any size,
 * bounded memory.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";

export async function contentVersion(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** The same, for bytes already in memory (tests, small files). */
export function contentVersionOf(bytes: Uint8Array | string): string {
  return createHash("sha256").update(bytes).digest("hex");
}
