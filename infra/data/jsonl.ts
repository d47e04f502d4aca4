/**
 * Reads a JSON Lines file line by line with bounded memory: fixed-size chunks, one line held at a
 * time, and a line longer than the cap is skipped (its length counted, its bytes never kept), so a
 * 100 GB file or a single 10 GB line costs the same few megabytes. Synchronous on purpose: the
 * stack's resolve step that calls it is synchronous, and a sequential read is what a stream would do.
 */
import * as fs from "node:fs";

export interface LineEvent {
  /** 1-based line number. */
  line: number;
  /** The line's text without its "\n" (and "\r"), or undefined when it was too long or not UTF-8. */
  text?: string;
  /** Byte length of a line that exceeded the cap. */
  tooLongBytes?: number;
  /** The bytes are not valid UTF-8. */
  notUtf8?: boolean;
}

export interface ReadStats {
  bytes: number;
  lines: number;
  /** The file starts with a UTF-8 byte-order mark (removed from line 1). */
  bom: boolean;
}

const CHUNK = 1 << 20;

/** `onChunk` sees every byte of the file once, in order (BOM included): for hashing in the same read. */
export function readJsonLines(
  file: string,
  maxLineBytes: number,
  onLine: (e: LineEvent) => void,
  onChunk?: (chunk: Buffer) => void,
): ReadStats {
  const fd = fs.openSync(file, "r");
  const decoder = new TextDecoder("utf-8", { fatal: true });
  const buf = Buffer.allocUnsafe(CHUNK);
  let parts: Buffer[] = [];
  let held = 0;
  let overflow = 0;
  let line = 0;
  let bytes = 0;
  let bom = false;
  let first = true;

  const finish = (direct?: Buffer) => {
    line++;
    if (overflow > 0) {
      onLine({ line, tooLongBytes: overflow + held });
    } else {
      let data = direct ?? (parts.length === 1 ? parts[0]! : Buffer.concat(parts, held));
      if (data.length > 0 && data[data.length - 1] === 13) data = data.subarray(0, data.length - 1);
      let text: string | undefined;
      try {
        text = decoder.decode(data);
      } catch {
        onLine({ line, notUtf8: true });
        text = undefined;
      }
      if (text !== undefined) onLine({ line, text });
    }
    parts = [];
    held = 0;
    overflow = 0;
  };
  const keep = (chunk: Buffer) => {
    if (overflow > 0 || held + chunk.length > maxLineBytes) {
      overflow += held + chunk.length;
      parts = [];
      held = 0;
      return;
    }
    // The read buffer is reused: keep a copy of what belongs to the line.
    parts.push(Buffer.from(chunk));
    held += chunk.length;
  };

  try {
    for (;;) {
      const n = fs.readSync(fd, buf, 0, CHUNK, null);
      if (n === 0) break;
      let chunk = buf.subarray(0, n);
      onChunk?.(chunk);
      bytes += n;
      if (first) {
        first = false;
        if (n >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) {
          bom = true;
          chunk = chunk.subarray(3);
        }
      }
      let start = 0;
      for (let nl = chunk.indexOf(10, start); nl >= 0; nl = chunk.indexOf(10, start)) {
        const piece = chunk.subarray(start, nl);
        if (held === 0 && overflow === 0 && piece.length <= maxLineBytes) finish(piece);
        else {
          keep(piece);
          finish();
        }
        start = nl + 1;
      }
      if (start < chunk.length) keep(chunk.subarray(start));
    }
    if (held > 0 || overflow > 0) finish();
  } finally {
    fs.closeSync(fd);
  }
  return { bytes, lines: line, bom };
}
