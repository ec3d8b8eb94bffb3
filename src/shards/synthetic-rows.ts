/**
 * Deterministic synthetic shard rows for tests and bench/shards.ts: text-like bytes (ASCII,
 * multilingual UTF-8, occasionally invalid UTF-8 or empty), entropies, patch lengths that sum to
 * n_tokens, and n-gram ids, all valid for the given columns spec.
 */
import { Rng } from '../core/rng.js';
import { EXTRA_TOKENS, type ShardDoc } from './row.js';
import type { ShardColumnsSpec } from './schema.js';

export interface SyntheticOptions {
  /** mean document length in bytes (lengths are uniform in [0, 2·mean]) */
  meanBytes?: number;
  /** fraction of documents that are empty */
  emptyFraction?: number;
  /** source name of every row */
  source?: string;
}

const SNIPPETS = [
  'Hello, world! ',
  'Grüße aus Köln. ',
  'Привет, мир. ',
  '你好，世界。',
  'مرحبا بالعالم ',
  '👩‍👩‍👧 ',
  'naïve café ',
  '\r\n',
  '\u0000',
];
const encoder = new TextEncoder();
const SNIPPET_BYTES = SNIPPETS.map((s) => encoder.encode(s));
const INVALID = [
  new Uint8Array([0xff]),
  new Uint8Array([0xc3]),
  new Uint8Array([0xed, 0xa0, 0x80]),
  new Uint8Array([0x80, 0x80]),
];

function textBytes(rng: Rng, n: number): Uint8Array {
  const out = new Uint8Array(n);
  let i = 0;
  while (i < n) {
    const r = rng.next();
    const piece =
      r < 0.02
        ? (INVALID[rng.int(INVALID.length)] as Uint8Array)
        : r < 0.3
          ? (SNIPPET_BYTES[rng.int(SNIPPET_BYTES.length)] as Uint8Array)
          : undefined;
    if (piece) {
      const k = Math.min(piece.length, n - i);
      out.set(piece.subarray(0, k), i);
      i += k;
    } else {
      out[i++] = 97 + rng.int(26) - (rng.next() < 0.15 ? 65 : 0); // letters, some spaces/punctuation
    }
  }
  return out;
}

/** Patch lengths: [nPatches], each 1..12, Σ = nTokens. */
function patchLengthsFor(rng: Rng, nTokens: number): Int32Array {
  const lengths: number[] = [];
  for (let left = nTokens; left > 0;) {
    const l = Math.min(left, 1 + rng.int(12));
    lengths.push(l);
    left -= l;
  }
  return Int32Array.from(lengths);
}

/** One row with `nBytes` bytes. */
function syntheticRow(rng: Rng, id: number, nBytes: number, spec: ShardColumnsSpec, source = 'synthetic'): ShardDoc {
  const bytes = textBytes(rng, nBytes);
  const n = nBytes + EXTRA_TOKENS;
  const row: ShardDoc = { docId: `doc-${id}`, source, bytes };
  if (id % 3 !== 0) row.lang = ['en', 'de', 'ru', 'zh', 'ar'][id % 5];
  if (spec.entropies) row.entropies = Float32Array.from({ length: n }, () => rng.next() * 5.5);
  if (spec.patchLengths) row.patchLengths = patchLengthsFor(rng, n);
  if (spec.ngramTables.length > 0)
    row.ngramIds = spec.ngramTables.map(() => Int32Array.from({ length: n }, () => rng.int(500_002)));
  return row;
}

/** `count` rows with ids first, first+1, …, from a generator seeded by `seed`. */
export function syntheticRows(
  seed: number,
  count: number,
  spec: ShardColumnsSpec,
  opts: SyntheticOptions = {},
  first = 0,
): ShardDoc[] {
  const rng = Rng.fromSeed(seed);
  const mean = opts.meanBytes ?? 200;
  const empty = opts.emptyFraction ?? 0.05;
  return Array.from({ length: count }, (_, i) =>
    syntheticRow(rng, first + i, rng.next() < empty ? 0 : rng.int(2 * mean + 1), spec, opts.source),
  );
}
