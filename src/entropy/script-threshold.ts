/**
 * Per-script entropy thresholds (docs/stats.md "Per-script thresholds"): an extension OUTSIDE the
 * reference's patcher. A document is patched by the reference's global rule, bit-exact, with one
 * threshold θ for the whole document: the table's entry for the document's main script
 * (detectScript over its first 16 KiB), or the global threshold when the table has no entry. The
 * choice depends only on the document's bytes and the table, both recorded in the shard
 * manifest (`config.process.patching.scriptThresholds`), so the shards stay reproducible.
 */
import { OFFSET } from '../bytes/byte-vocab.js';
import { DETECT_BYTES, detectScript } from '../stats/script-bucket.js';

/** tokens [L] = [BOS, byte + 4 …, EOS] (or bytes + 4 without BOS/EOS) → the document's threshold. */
export function documentThreshold(
  tokens: ArrayLike<number>,
  threshold: number,
  table: Readonly<Record<string, number>> | undefined,
): number {
  if (table === undefined) return threshold;
  const n = Math.min(DETECT_BYTES, tokens.length);
  const bytes = new Uint8Array(n);
  let k = 0;
  for (let i = 0; i < tokens.length && k < n; i++) {
    const t = tokens[i] as number;
    if (t >= OFFSET) bytes[k++] = t - OFFSET; // BOS/EOS/pad are not text
  }
  return table[detectScript(bytes.subarray(0, k))] ?? threshold;
}
