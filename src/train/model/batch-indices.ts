/**
 * Pure index and mask arithmetic of a BLT batch (docs/reference.md §5–§7), on flat typed arrays.
 * Rows are independent; `[B,N]` means row-major `b*N + i`. Patch lengths follow the reference's
 * packing contract: every row has `pl[0] = 1` and `Σ pl = N + 1` (the extra position is the
 * "next token" of the last input byte).
 */
import { BltError } from '../../core/errors.js';
import { EOS_ID } from '../../bytes/byte-vocab.js';
import { MASKED } from '../../nn/attention-mask.js';

export { MASKED };

/** Throws BAD_INPUT unless pl [B,P] has, per row, pl[0] = 1, no negative entry and Σ = N + 1. */
export function checkPatchLengths(pl: Int32Array, B: number, P: number, N: number): void {
  if (pl.length !== B * P)
    throw new BltError('BAD_INPUT', `Expected patch lengths [B=${B}, P=${P}] (${B * P} values), got ${pl.length}.`);
  for (let b = 0; b < B; b++) {
    let sum = 0;
    for (let p = 0; p < P; p++) {
      const v = pl[b * P + p] as number;
      if (v < 0) throw new BltError('BAD_INPUT', `Row ${b}: patch length ${p} is ${v}, expected ≥ 0.`);
      sum += v;
    }
    if (pl[b * P] !== 1 || sum !== N + 1) {
      throw new BltError(
        'BAD_INPUT',
        `Row ${b}: expected patch lengths with first = 1 and sum = N + 1 = ${N + 1}, got first ${pl[b * P]} ` +
          `and sum ${sum}.`,
        'the packer must force a first patch of 1 and add row padding to the last patch (docs/reference.md §3.6)',
      );
    }
  }
}

/** pl [B,P] → ids [B,N]: the patch holding byte i (reference `patch_ids_from_lengths`; empty patches hold none). */
export function patchIdsFromLengths(pl: Int32Array, B: number, P: number, N: number): Int32Array {
  const ids = new Int32Array(B * N);
  for (let b = 0; b < B; b++) {
    let start = 0;
    for (let p = 0; p < P && start < N; p++) {
      const end = Math.min(N, start + (pl[b * P + p] as number));
      ids.fill(p, b * N + start, b * N + end);
      start = end;
    }
  }
  return ids;
}

/**
 * pl [B,P] → decoder ids [B,N]: patch ids under pl[:, 1:] (reference `decoder_patch_ids_from_lengths`),
 * i.e. patch_ids[i+1] − 1: the patch just before the one holding the target byte x[i+1].
 */
export function decoderPatchIdsFromLengths(pl: Int32Array, B: number, P: number, N: number): Int32Array {
  const shifted = new Int32Array(B * (P - 1));
  for (let b = 0; b < B; b++) shifted.set(pl.subarray(b * P + 1, (b + 1) * P), b * (P - 1));
  return patchIdsFromLengths(shifted, B, P - 1, N);
}

/** x [B,N] → doc [B,N]: document index within its row; a document ends at (and includes) each EOS. */
export function documentIds(x: Int32Array, B: number, N: number, eos = EOS_ID): Int32Array {
  const doc = new Int32Array(B * N);
  for (let b = 0; b < B; b++) {
    let d = 0;
    for (let i = 0; i < N; i++) {
      doc[b * N + i] = d;
      if (x[b * N + i] === eos) d++;
    }
  }
  return doc;
}

/**
 * doc [B,T] → additive mask [B,T,T] (query i, key j): 0 where j ≤ i, same document and
 * (window null or i − j < window), MASKED elsewhere (xformers local_block_causal).
 */
export function blockCausalMask(doc: Int32Array, B: number, T: number, window: number | null): Float32Array {
  const m = new Float32Array(B * T * T).fill(MASKED);
  const w = window ?? T;
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < T; i++) {
      const row = (b * T + i) * T;
      const di = doc[b * T + i];
      for (let j = i; j >= 0 && i - j < w && doc[b * T + j] === di; j--) m[row + j] = 0;
    }
  }
  return m;
}

/**
 * x [B,N], patchIds [B,N] → patch documents [B,P]: the number of EOS-holding patches before p, so
 * blocks end at (and include) each patch with an EOS byte (reference global_tokens + block_causal).
 */
export function patchDocumentIds(
  x: Int32Array,
  patchIds: Int32Array,
  B: number,
  N: number,
  P: number,
  eos = EOS_ID,
): Int32Array {
  const hasEos = new Uint8Array(B * P);
  for (let i = 0; i < B * N; i++) if (x[i] === eos) hasEos[Math.floor(i / N) * P + (patchIds[i] as number)] = 1;
  const doc = new Int32Array(B * P);
  for (let b = 0; b < B; b++) {
    let d = 0;
    for (let p = 0; p < P; p++) {
      doc[b * P + p] = d;
      d += hasEos[b * P + p] as number;
    }
  }
  return doc;
}

/**
 * The bytes of each patch as a padded table for segment pooling and patch-local cross-attention:
 * index [B·P·L] (row b·N + j of the byte states; 0 in padding slots), keep [B·P·L] (1 real, 0 pad),
 * nonEmpty [B·P] (1 when the patch holds a byte of x). L = the most bytes any patch holds, except the
 * final patch of each row (the one holding position N), which keeps at most L: its output feeds only
 * global positions ≥ its own, which no decoder position reads (dec_pid ≤ its index − 1).
 */
export interface PatchByteTable {
  readonly L: number;
  readonly index: Int32Array;
  readonly keep: Float32Array;
  readonly nonEmpty: Float32Array;
}

export function patchByteTable(pl: Int32Array, B: number, P: number, N: number): PatchByteTable {
  let L = 1;
  for (let b = 0; b < B; b++) {
    for (let p = 0, start = 0; p < P && start <= N; start += pl[b * P + p] as number, p++) {
      const len = pl[b * P + p] as number;
      if (start + len <= N) L = Math.max(L, len); // not the final patch
    }
  }
  const index = new Int32Array(B * P * L);
  const keep = new Float32Array(B * P * L);
  const nonEmpty = new Float32Array(B * P);
  for (let b = 0; b < B; b++) {
    for (let p = 0, start = 0; p < P; start += pl[b * P + p] as number, p++) {
      const n = Math.max(0, Math.min(pl[b * P + p] as number, N - start, L));
      const slot = (b * P + p) * L;
      for (let s = 0; s < n; s++) {
        index[slot + s] = b * N + start + s;
        keep[slot + s] = 1;
      }
      index.fill(b * N, slot + n, slot + L);
      nonEmpty[b * P + p] = n > 0 ? 1 : 0;
    }
  }
  return { L, index, keep, nonEmpty };
}

/** decPid [B,N] → slot rows [B·N·k]: (b·P + decPid)·k + r for r < k, the k keys byte i attends. */
export function decoderSlotIndex(decPid: Int32Array, B: number, N: number, P: number, k: number): Int32Array {
  const out = new Int32Array(B * N * k);
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < N; i++) {
      const base = (b * P + (decPid[b * N + i] as number)) * k;
      for (let r = 0; r < k; r++) out[(b * N + i) * k + r] = base + r;
    }
  }
  return out;
}
