/**
 * Bits per byte over documents (docs/reference.md §8.2): every document is scored as `[BOS, bytes+4..., EOS]`
 * and every token after BOS is a target (its bytes and its EOS, which the reference counts as a
 * byte too):  bpb = Σ −ln p(target) / ln 2 / Σ targets,  targets = Σ (bytes + 1).
 * The scorer is any model that gives per-token log-probabilities (transformer or n-gram).
 */
import { documentTokens } from '../train/pack.js';

/** docs' tokens → per-document ln p of each next token ([n−1] each). */
export type LogProbScorer = (docs: readonly Int32Array[]) => Promise<Float32Array[]>;

export interface BitsPerByte {
  readonly bitsPerByte: number;
  /** Σ −ln p over all targets (nats). */
  readonly nats: number;
  /** Targets scored: bytes + one EOS per document. */
  readonly targets: number;
  /** UTF-8 bytes of the documents scored. */
  readonly bytes: number;
  readonly documents: number;
}

export interface EvalOptions {
  /** Score at most this many bytes, spread over all documents (takeBytes). Default: all. */
  readonly maxBytes?: number;
  /** Documents per scorer call (bounds memory). Default 64. */
  readonly docsPerCall?: number;
}

/**
 * The documents an evaluation with `maxBytes` reads: every document's prefix up to a common cap c,
 * the largest c with Σ min(len, c) ≤ maxBytes (water-filling), so a budget samples all documents
 * (all languages, all genres) rather than the first few. Documents cut to zero bytes are dropped.
 */
export function takeBytes(docs: readonly Uint8Array[], maxBytes = Infinity): Uint8Array[] {
  let total = 0;
  for (const d of docs) total += d.length;
  if (total <= maxBytes) return [...docs];
  const lens = docs.map((d) => d.length).sort((a, b) => a - b);
  let left = maxBytes;
  let cap = 0;
  for (let i = 0; i < lens.length; i++) {
    const share = Math.floor(left / (lens.length - i));
    if ((lens[i] as number) > share) {
      cap = share;
      break;
    }
    left -= lens[i] as number;
  }
  return docs.filter((d) => Math.min(d.length, cap) > 0).map((d) => (d.length > cap ? d.subarray(0, cap) : d));
}

export async function evaluateBitsPerByte(
  score: LogProbScorer,
  docs: readonly Uint8Array[],
  opts: EvalOptions = {},
): Promise<BitsPerByte> {
  const chosen = takeBytes(docs, opts.maxBytes);
  const per = opts.docsPerCall ?? 64;
  let nats = 0;
  let targets = 0;
  let bytes = 0;
  for (let i = 0; i < chosen.length; i += per) {
    const group = chosen.slice(i, i + per);
    const lps = await score(group.map(documentTokens));
    for (const lp of lps) {
      for (let j = 0; j < lp.length; j++) nats -= lp[j] as number;
      targets += lp.length;
    }
    for (const d of group) bytes += d.length;
  }
  return { bitsPerByte: targets > 0 ? nats / Math.LN2 / targets : NaN, nats, targets, bytes, documents: chosen.length };
}
