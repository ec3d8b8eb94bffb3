/**
 * The typed-array batch the loader hands to the model (docs/reference.md §3.6, §12). Everything is
 * precomputed on CPU; `prepareBltInputs` turns it into tensors once per step.
 */
import { BltError } from '../../core/errors.js';
import { ngramTableCount, type BltModelConfig } from './blt-config.js';

export interface BltBatch {
  /** B rows. */
  readonly batchSize: number;
  /** N bytes per row. */
  readonly seqLen: number;
  /** P patches per row (fixed per run, like the reference's data.seq_len). */
  readonly numPatches: number;
  /** x [B,N] token ids in [0, vocab): byte + 4, BOS 1, EOS 2, pad 0. */
  readonly x: Int32Array;
  /** patch_lengths [B,P]: pl[0] = 1, Σ = N + 1 per row (row padding added to the last patch). */
  readonly patchLengths: Int32Array;
  /** patch_ids [B,N]; derived from patchLengths when absent. */
  readonly patchIds?: Int32Array;
  /** dec_patch_ids [B,N] (= patch_ids[i+1] − 1); derived when absent. */
  readonly decoderPatchIds?: Int32Array;
  /**
   * Hashed n-gram ids [T,B,N] with T = functions·|sizes|, table t = f·|sizes| + g (reference order),
   * e.g. from hashNgramIds over each row; required iff the config has `ngram`.
   */
  readonly ngramIds?: Int32Array | null;
  /** y [B,N] targets (y[i] = x[i+1]), for the loss. */
  readonly y?: Int32Array;
  /** mask [B,N]: 1 where y is a real target, 0 on padding. */
  readonly mask?: Uint8Array | Float32Array;
}

function checkLength(name: string, a: ArrayLike<number> | undefined | null, n: number, shape: string): void {
  if (a && a.length !== n)
    throw new BltError('BAD_INPUT', `Expected \`${name}\` with ${n} values (${shape}), got ${a.length}.`);
}

function checkRange(name: string, a: ArrayLike<number>, max: number): void {
  for (let i = 0; i < a.length; i++) {
    const v = a[i] as number;
    if (!(v >= 0 && v < max))
      throw new BltError('BAD_INPUT', `Expected \`${name}\` values in [0, ${max}), got ${v} at index ${i}.`);
  }
}

/** Throws BAD_INPUT naming the field when the batch does not fit the config. */
export function checkBltBatch(c: BltModelConfig, batch: BltBatch): void {
  const { batchSize: B, seqLen: N, numPatches: P } = batch;
  for (const [name, v] of [
    ['batchSize', B],
    ['seqLen', N],
    ['numPatches', P],
  ] as const) {
    if (!Number.isInteger(v) || v < 1)
      throw new BltError('BAD_INPUT', `Expected \`${name}\` to be a positive integer, got ${v}.`);
  }
  if (P < 2)
    throw new BltError(
      'BAD_INPUT',
      `Expected at least 2 patches per row (the first is the forced 1-byte patch), got ${P}.`,
    );
  checkLength('x', batch.x, B * N, `[B=${B}, N=${N}]`);
  checkRange('x', batch.x, c.vocab_size);
  checkLength('patchIds', batch.patchIds, B * N, '[B,N]');
  checkLength('decoderPatchIds', batch.decoderPatchIds, B * N, '[B,N]');
  checkLength('y', batch.y, B * N, '[B,N]');
  checkLength('mask', batch.mask, B * N, '[B,N]');
  const T = ngramTableCount(c);
  if (T > 0 && !batch.ngramIds) {
    throw new BltError(
      'BAD_INPUT',
      `The model has ${T} hash n-gram tables but the batch has no \`ngramIds\`.`,
      'compute them per row with hashNgramIds (src/patching/ngram-hash.ts) in the loader',
    );
  }
  if (T === 0 && batch.ngramIds && batch.ngramIds.length > 0) {
    throw new BltError('BAD_INPUT', 'The batch has `ngramIds` but the model config has `ngram: null`.');
  }
  if (T > 0 && batch.ngramIds) {
    checkLength('ngramIds', batch.ngramIds, T * B * N, `[T=${T}, B, N]`);
    checkRange('ngramIds', batch.ngramIds, c.ngram?.vocab ?? 0);
  }
}
