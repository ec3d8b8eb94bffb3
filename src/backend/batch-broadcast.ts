/**
 * Pure shape arithmetic for batched matmul: axis swaps and numpy batch broadcasting.
 * Shapes here are batch shapes only (a matmul operand without its last two axes).
 */
import { BltError } from '../core/errors.js';
import { sizeOf } from './wasm-backend-types.js';

/** The permutation that swaps the last two axes of a rank-`rank` tensor. */
export function swapLastTwoPerm(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return perm;
}

/** Broadcast of two batch shapes (numpy rules, as tfjs matMul); throws INTERNAL when incompatible. */
export function broadcastBatchShape(a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new BltError(
        'INTERNAL',
        `BatchMatMul batch shapes [${a.join(',')}] and [${b.join(',')}] cannot broadcast.`,
      );
    }
    out.push(da === 1 ? db : da);
  }
  return out;
}

/**
 * For each flat index of `outShape` (a broadcast batch shape), the flat index of the element of
 * `inShape` it reads (numpy broadcasting: size-1 and missing leading dims repeat).
 */
export function broadcastSourceIndex(outShape: readonly number[], inShape: readonly number[]): number[] {
  const total = sizeOf(outShape);
  const lead = outShape.length - inShape.length;
  const result: number[] = [];
  for (let flat = 0; flat < total; flat++) {
    let rest = flat;
    let src = 0;
    let stride = 1;
    for (let d = outShape.length - 1; d >= 0; d--) {
      const size = outShape[d] ?? 1;
      const coord = rest % size;
      rest = (rest - coord) / size;
      const inSize = d >= lead ? (inShape[d - lead] ?? 1) : 1;
      if (inSize !== 1) src += coord * stride;
      stride *= inSize;
    }
    result.push(src);
  }
  return result;
}
