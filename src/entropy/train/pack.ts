/**
 * Byte packing for entropy-model training (docs/reference.md §1, §2.5).
 *
 * Each document becomes `[BOS, b0+4, b1+4, ..., EOS]`; documents are concatenated into one token
 * stream. A training sequence is `seqLen + 1` consecutive stream tokens `s`, and
 * `x = s[0..seqLen)`, `y = s[1..seqLen]`, so y[i] = x[i+1] for every i < seqLen−1 and the last
 * target is the real next token (the reference's padding target, docs/reference.md §2.5, is not reproduced).
 *
 * Attention is not reset at document joins: a sequence may span `...EOS BOS...`, and the model
 * learns that BOS starts a fresh document. At inference each document is scored on its own from
 * BOS, so cross-document context only ever appears in training, where it costs nothing but a
 * little context; it keeps every position a useful target (no padding) and the batches dense.
 */
import { BOS_ID, EOS_ID, OFFSET } from '../../bytes/byte-vocab.js';
import { encodeBytes } from '../../bytes/tokenizer.js';

/** Tokens of one document, including BOS and EOS: bytes.length + 2. */
function documentTokenCount(bytes: Uint8Array): number {
  return bytes.length + 2;
}

/** Writes `[BOS, bytes+4..., EOS]` into `out` at `at`; returns the index after EOS. */
function writeDocumentTokens(bytes: Uint8Array, out: Uint16Array | Int32Array, at: number): number {
  out[at] = BOS_ID;
  for (let i = 0; i < bytes.length; i++) out[at + 1 + i] = (bytes[i] as number) + OFFSET;
  out[at + 1 + bytes.length] = EOS_ID;
  return at + bytes.length + 2;
}

/** docs → one stream: [Σ (len+2)] uint16 (ids < 260). */
export function packDocuments(docs: readonly Uint8Array[]): Uint16Array {
  let n = 0;
  for (const d of docs) n += documentTokenCount(d);
  const out = new Uint16Array(n);
  let at = 0;
  for (const d of docs) at = writeDocumentTokens(d, out, at);
  return out;
}

/** One document's tokens as int32: [len+2] (the byte tokenizer's encodeBytes). */
export function documentTokens(bytes: Uint8Array): Int32Array {
  return encodeBytes(bytes);
}

/**
 * Copies the sequence starting at stream index `start` into row `row` of x and y ([B, seqLen]
 * row-major): x[row, i] = s[start+i], y[row, i] = s[start+i+1]. Needs start+seqLen < s.length.
 */
export function writeSequence(
  stream: Uint16Array,
  start: number,
  seqLen: number,
  x: Int32Array,
  y: Int32Array,
  row: number,
): void {
  const base = row * seqLen;
  for (let i = 0; i < seqLen; i++) {
    x[base + i] = stream[start + i] as number;
    y[base + i] = stream[start + i + 1] as number;
  }
}
