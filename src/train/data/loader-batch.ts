/**
 * The loader's batch: typed arrays ready for the model (src/train/model BltBatch) or for a
 * user's own loop. `toBltBatch` is the zero-copy view the model's `prepareBltInputs` takes.
 */
import { decoderPatchIdsFromLengths, patchIdsFromLengths } from '../model/batch-indices.js';
import type { BltBatch } from '../model/blt-batch.js';
import { packedRowNgramIds, type LoaderNgramConfig } from './batch-ngrams.js';
import type { PackedRows } from './pack-batch.js';

export interface LoaderBatch {
  /** B rows (a partial last batch keeps B rows; the missing ones have an all-zero mask) */
  readonly batchSize: number;
  /** N = maxEncoderSeqLen bytes per row */
  readonly seqLen: number;
  /** P = seqLenPatches patches per row */
  readonly numPatches: number;
  /** x [B·N]: token ids (byte + 4, BOS 1, EOS 2), pad 0 */
  readonly x: Int32Array;
  /** y [B·N]: y[i] = x[i+1] within the row's sequence, pad 0 */
  readonly y: Int32Array;
  /** mask [B·N]: 1 where y is a real target (BOS/EOS targets included) */
  readonly mask: Uint8Array;
  /** patch lengths [B·P]: pl[0] = 1, Σ = N + 1 per row; zeros only after truncation */
  readonly patchLengths: Int32Array;
  /** patch ids [B·N]: the patch holding byte i */
  readonly patchIds: Int32Array;
  /** decoder patch ids [B·N] = patch_ids[i+1] − 1 */
  readonly decPatchIds: Int32Array;
  /** [T][B·N] hashed n-gram ids of the packed rows, table t = f·|sizes| + gi; [] when ngram is null */
  readonly ngramIds: Int32Array[];
  /** Σ mask: the real targets (bytes, BOS/EOS included) this batch trains on */
  readonly bytesInBatch: number;
}

/** Packed rows → the full batch: patch ids from the model's batch-indices, n-gram ids of the rows. */
export function assembleBatch(
  p: PackedRows,
  B: number,
  P: number,
  N: number,
  ngram: LoaderNgramConfig | null,
): LoaderBatch {
  return {
    batchSize: B,
    seqLen: N,
    numPatches: P,
    x: p.x,
    y: p.y,
    mask: p.mask,
    patchLengths: p.patchLengths,
    patchIds: patchIdsFromLengths(p.patchLengths, B, P, N),
    decPatchIds: decoderPatchIdsFromLengths(p.patchLengths, B, P, N),
    ngramIds: packedRowNgramIds(p.x, B, N, ngram),
    bytesInBatch: p.realTargets,
  };
}

/** The model's BltBatch over the same memory (ngramIds as one [T,B,N] array). */
export function toBltBatch(b: LoaderBatch): BltBatch {
  const first = b.ngramIds[0];
  const T = b.ngramIds.length;
  const n = b.batchSize * b.seqLen;
  const contiguous = b.ngramIds.every(
    (a, t) => a.buffer === first?.buffer && a.byteOffset === first.byteOffset + 4 * t * n && a.length === n,
  );
  let ngramIds: Int32Array | null = null;
  if (first && contiguous) ngramIds = new Int32Array(first.buffer, first.byteOffset, T * n);
  else if (first) {
    ngramIds = new Int32Array(T * n);
    b.ngramIds.forEach((a, t) => (ngramIds as Int32Array).set(a, t * n));
  }
  return {
    batchSize: b.batchSize,
    seqLen: b.seqLen,
    numPatches: b.numPatches,
    x: b.x,
    y: b.y,
    mask: b.mask,
    patchLengths: b.patchLengths,
    patchIds: b.patchIds,
    decoderPatchIds: b.decPatchIds,
    ngramIds,
  };
}
