/**
 * Patch lengths of a generation prefix (docs/reference.md §9): the reference's `patcher.patch(ctx,
 * include_next_token=True)` with the run's patching settings, so the lengths sum to len(ctx) + 1
 * and the last patch holds the position being generated. When H[cur−1] > θ a new patch starts at
 * that position (the latent transformer "fires"); otherwise generation continues inside the
 * current patch. Entropy and space patching already start with the 1-token BOS patch; for static
 * patching the first patch is split into [1, ℓ−1] as the loader's packing does (docs/reference.md §3.6).
 */
import { BltError } from '../../core/errors.js';
import { patchLengths } from '../../patching/patch-lengths.js';
import type { PatchOptions } from '../../patching/patch-options.js';
import type { PatchingSettings } from '../../preprocess/settings.js';

/** tokens [L] (+ entropies [L] in entropy mode) → patch lengths [P], Σ = L + 1, pl[0] = 1. */
export function prefixPatchLengths(
  tokens: Int32Array,
  settings: PatchingSettings,
  entropies?: Float32Array,
): Int32Array {
  const opts: PatchOptions = { mode: settings.mode, monotonicity: settings.monotonicity, includeNextToken: true };
  if (settings.threshold !== undefined) opts.threshold = settings.threshold;
  if (settings.thresholdAdd !== undefined) opts.thresholdAdd = settings.thresholdAdd;
  if (settings.maxPatchLength !== undefined) opts.maxPatchLength = settings.maxPatchLength;
  if (settings.patchSize !== undefined) opts.patchSize = settings.patchSize;
  if (settings.mode === 'entropy') {
    if (!entropies) throw new BltError('INTERNAL', 'prefixPatchLengths: entropy mode without entropies');
    opts.entropies = entropies;
  }
  const pl = patchLengths(tokens, opts);
  const first = pl[0] as number;
  if (first <= 1) return pl;
  const out = new Int32Array(pl.length + 1);
  out[0] = 1;
  out[1] = first - 1;
  out.set(pl.subarray(1), 2);
  return out;
}
