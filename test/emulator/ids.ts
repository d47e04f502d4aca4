import { randomBytes } from "node:crypto";

const ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

/** Lower-case alphanumeric id such as "dlc1x2y3z4w5v6u" (prefix + n random chars). */
export function newId(prefix: string, n = 13): string {
  const bytes = randomBytes(n);
  let out = prefix;
  for (const b of bytes) out += ALPHABET[b % ALPHABET.length];
  return out;
}
