/**
 * BltBatch (typed arrays) → the tensors one forward pass reads: ids, masks and gather tables,
 * built once per step outside any tidy (the caller disposes them with disposeBltInputs).
 */
import * as tf from '@tensorflow/tfjs';
import { BltError } from '../../core/errors.js';
import { checkBltBatch, type BltBatch } from './blt-batch.js';
import { ngramTableCount, type BltModelConfig } from './blt-config.js';
import {
  MASKED,
  blockCausalMask,
  checkPatchLengths,
  decoderPatchIdsFromLengths,
  decoderSlotIndex,
  documentIds,
  patchByteTable,
  patchDocumentIds,
  patchIdsFromLengths,
} from './batch-indices.js';

export interface BltInputs {
  readonly B: number;
  readonly N: number;
  readonly P: number;
  /** Slots per patch in the padded patch-byte table. */
  readonly L: number;
  /** x [B·N] int32. */
  readonly x: tf.Tensor1D;
  /** T × [B·N] int32 hashed n-gram ids, one per table. */
  readonly ngramIds: readonly tf.Tensor1D[];
  /** [B,1,N,N] additive: causal, same document, byte window. */
  readonly localMask: tf.Tensor4D;
  /** [B,1,P,P] additive: block-causal by EOS patches, or causal. */
  readonly globalMask: tf.Tensor4D;
  /** [B·P·L] int32: rows of the byte states [B·N] in each patch's slots. */
  readonly patchIndex: tf.Tensor1D;
  /** [B·P, L] additive: 0 for a real byte, MASKED for a padding slot. */
  readonly patchPad: tf.Tensor2D;
  /** [B·P, 1]: 1 for a patch holding bytes of x, 0 for an empty one. */
  readonly patchNonEmpty: tf.Tensor2D;
  /** [B·N·k] int32: rows of the decoder's patch slots [B·P·k] each byte attends (dec_pid·k + r). */
  readonly slotIndex: tf.Tensor1D;
  /** y [B,N] int32, when the batch has targets. */
  readonly y: tf.Tensor2D | null;
  /** mask [B,N] float32 (1 real target, 0 padding), when the batch has targets. */
  readonly mask: tf.Tensor2D | null;
}

/** Loader-supplied ids must equal the ones derived from the patch lengths (catches packing bugs). */
function sameIds(name: string, given: Int32Array | undefined, derived: Int32Array): void {
  if (!given) return;
  const i = derived.findIndex((v, j) => given[j] !== v);
  if (i >= 0) {
    throw new BltError(
      'BAD_INPUT',
      `\`${name}\`[${i}] is ${given[i]}, but the patch lengths give ${derived[i]}.`,
      'derive both from patch_lengths (batch-indices.ts) or leave them out',
    );
  }
}

/** Builds the tensors of `batch` (validated against `c`; BAD_INPUT on a mismatch). */
export function prepareBltInputs(c: BltModelConfig, batch: BltBatch): BltInputs {
  checkBltBatch(c, batch);
  const { batchSize: B, seqLen: N, numPatches: P, x, patchLengths: pl } = batch;
  checkPatchLengths(pl, B, P, N);
  const patchIds = patchIdsFromLengths(pl, B, P, N);
  const decIds = decoderPatchIdsFromLengths(pl, B, P, N);
  sameIds('patchIds', batch.patchIds, patchIds);
  sameIds('decoderPatchIds', batch.decoderPatchIds, decIds);
  const table = patchByteTable(pl, B, P, N);
  const pad = table.keep.map((v) => (v > 0 ? 0 : MASKED));
  const pdoc = c.global_attention === 'block_causal' ? patchDocumentIds(x, patchIds, B, N, P) : new Int32Array(B * P);
  const T = ngramTableCount(c);
  const ngram = batch.ngramIds ?? new Int32Array(0);
  return {
    B,
    N,
    P,
    L: table.L,
    x: tf.tensor1d(x.slice(), 'int32'), // copies: the cpu backend keeps the array it is given
    ngramIds: Array.from({ length: T }, (_, t) => tf.tensor1d(ngram.slice(t * B * N, (t + 1) * B * N), 'int32')),
    localMask: tf.tensor4d(blockCausalMask(documentIds(x, B, N), B, N, c.local_window), [B, 1, N, N]),
    globalMask: tf.tensor4d(blockCausalMask(pdoc, B, P, null), [B, 1, P, P]),
    patchIndex: tf.tensor1d(table.index, 'int32'),
    patchPad: tf.tensor2d(pad, [B * P, table.L]),
    patchNonEmpty: tf.tensor2d(table.nonEmpty, [B * P, 1]),
    slotIndex: tf.tensor1d(decoderSlotIndex(decIds, B, N, P, c.cross_attn_k), 'int32'),
    y: batch.y ? tf.tensor2d(batch.y.slice(), [B, N], 'int32') : null,
    mask: batch.mask ? tf.tensor2d(Float32Array.from(batch.mask), [B, N]) : null,
  };
}

/** Disposes every tensor of `inputs`. */
export function disposeBltInputs(inputs: BltInputs): void {
  const { x, ngramIds, localMask, globalMask, patchIndex, patchPad, patchNonEmpty, slotIndex, y, mask } = inputs;
  tf.dispose([x, ...ngramIds, localMask, globalMask, patchIndex, patchPad, patchNonEmpty, slotIndex]);
  if (y) y.dispose();
  if (mask) mask.dispose();
}
