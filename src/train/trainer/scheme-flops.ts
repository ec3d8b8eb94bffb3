/**
 * FLOPs per byte of a BLT under a patching scheme (docs/design.md §7, bltFlops): per-byte parts plus the
 * per-patch parts divided by the scheme's mean patch length. Training ≈ 3 × forward (forward
 * counts a multiply-add as 2 FLOPs, so this is the usual 6 × parameters-touched per byte).
 */
import { bltFlops } from '../model/blt-cost.js';
import type { BltModelConfig } from '../model/blt-config.js';

export interface SchemeFlops {
  readonly meanPatchLength: number;
  readonly localPerByte: number;
  readonly globalPerPatch: number;
  readonly forwardPerByte: number;
  readonly trainPerByte: number;
}

export function schemeFlops(model: BltModelConfig, seqLen: number, meanPatchLength: number): SchemeFlops {
  const f = bltFlops(model, { seqLen, meanPatchLength });
  return { meanPatchLength, ...f };
}
