/**
 * Held-out split by document for training: the project's split (src/ingest/corpora
 * `splitHeldOut`: a document is held out iff a seeded sha256 of its id falls below the fraction,
 * so its side depends only on its id), with the project's split seed (DEFAULT_HELD_OUT.seed),
 * which keeps held-out numbers of every run comparable with `blt entropy eval --held-out`.
 *
 * The only training data is never held out:
 * - with fraction > 0 and ≥ 2 documents, if the hash holds out none, the last document is held
 *   out; if it holds out all, the first is kept for training;
 * - a single document (one `.txt` file) is cut into chunks (`<id>#<k>`, see chunkDocument) that
 *   are split like documents; one too short to cut (< 2 × MIN_CHUNK_BYTES) stays on the training
 *   side with no held-out set, and `heldOutNote` says so.
 */
import { DEFAULT_HELD_OUT, splitHeldOut } from '../../ingest/corpora/held-out-split.js';

export interface SplitDocs<T> {
  readonly train: T[];
  readonly val: T[];
  /** why the held-out side is empty or made of chunks, for the user; undefined in the ordinary case */
  readonly note?: string | undefined;
}

export const SPLIT_SEED = DEFAULT_HELD_OUT.seed;
/** chunks of a lone document are at least this long (bytes) */
export const MIN_CHUNK_BYTES = 1024;
/** ... and at most this long, so a 100 MB file gives ~100 chunks */
export const MAX_CHUNK_BYTES = 1 << 20;

export function splitByDocument<T extends { readonly id: string; readonly bytes?: Uint8Array }>(
  docs: readonly T[],
  fraction: number,
  seed = SPLIT_SEED,
): SplitDocs<T> {
  let note: string | undefined;
  let input = docs;
  const only = docs.length === 1 ? docs[0] : undefined;
  if (fraction > 0 && only !== undefined) {
    const chunks = only.bytes === undefined ? [] : chunkDocument(only.bytes);
    if (chunks.length >= 2) {
      input = chunks.map((bytes, k) => ({ ...only, id: `${only.id}#${k}`, bytes }));
      note =
        `one input document (${only.id}): split into ${chunks.length} chunks of ~${chunks[0]?.length ?? 0} ` +
        `bytes for the held-out split`;
    } else {
      note =
        `one input document (${only.id}) too short to hold any of it out (< ${2 * MIN_CHUNK_BYTES} bytes): ` +
        `trained on all of it, no held-out measurement`;
      return { train: [only], val: [], note };
    }
  }
  const { train, heldOut } = splitHeldOut(input, { fraction, seed });
  if (fraction > 0 && input.length >= 2) {
    if (heldOut.length === 0) heldOut.push(train.pop() as T);
    else if (train.length === 0) train.push(heldOut.shift() as T);
  }
  return { train, val: heldOut, note };
}

/**
 * A document's bytes → consecutive chunks of ~clamp(length / 20, MIN_CHUNK_BYTES, MAX_CHUNK_BYTES)
 * bytes, each cut after a newline (else a space) near its end when there is one, never inside a
 * UTF-8 sequence. The chunks concatenate to the input. Shape: Uint8Array[L] → Uint8Array[]
 * (views); fewer than 2 chunks when L < 2 · MIN_CHUNK_BYTES.
 */
export function chunkDocument(bytes: Uint8Array): Uint8Array[] {
  if (bytes.length < 2 * MIN_CHUNK_BYTES) return [bytes];
  const size = Math.min(MAX_CHUNK_BYTES, Math.max(MIN_CHUNK_BYTES, Math.ceil(bytes.length / 20)));
  const out: Uint8Array[] = [];
  let start = 0;
  while (start < bytes.length) {
    let end = Math.min(bytes.length, start + size);
    if (end < bytes.length) {
      const floor = start + (size >> 1);
      let cut = -1;
      for (let i = end; i > floor && cut < 0; i--) if (bytes[i - 1] === 0x0a) cut = i;
      for (let i = end; i > floor && cut < 0; i--) if (bytes[i - 1] === 0x20) cut = i;
      if (cut > 0) end = cut;
      while (end > start + 1 && ((bytes[end] as number) & 0xc0) === 0x80) end--; // not inside a UTF-8 sequence
    }
    if (bytes.length - end < MIN_CHUNK_BYTES >> 1) end = bytes.length; // no tiny tail
    out.push(bytes.subarray(start, end));
    start = end;
  }
  return out;
}

/**
 * The warning to print when a trained model is no better than a unigram on its own held-out
 * data (it learned nothing contextual: too little data, or the held-out text is unlike the
 * training text); undefined otherwise.
 */
export function heldOutWarning(
  bpb: number | null | undefined,
  unigramBpb: number | null | undefined,
): string | undefined {
  if (
    bpb === null ||
    bpb === undefined ||
    unigramBpb === null ||
    unigramBpb === undefined ||
    !Number.isFinite(bpb) ||
    !Number.isFinite(unigramBpb)
  )
    return undefined;
  if (bpb < unigramBpb) return undefined;
  return (
    `held-out ${bpb.toFixed(4)} bits/byte is not below the unigram's ${unigramBpb.toFixed(4)}: the model ` +
    `learned nothing contextual ` +
    '(too little training text, or held-out text unlike it); give more text, or check the inputs'
  );
}
