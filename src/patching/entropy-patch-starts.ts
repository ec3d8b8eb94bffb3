/**
 * Entropy patching's start rule (`find_entropy_patch_start_ids`, docs/reference.md §3.2).
 * Tokens 0 and 1 always start a patch; with e = H[1:], mask[j] decides token j + 2.
 * All comparisons are float32 (torch compares a float32 tensor with a Python float in float32).
 */
const f32 = Math.fround;

/** e [L-1] → start mask [L-1] (global, relative, or global + relative rule). */
function entropyStartMask(
  e: Float32Array,
  threshold: number,
  thresholdAdd: number | undefined,
  monotonicity: boolean,
): Uint8Array {
  const n = e.length;
  const mask = new Uint8Array(n);
  const t = f32(threshold);
  if (n === 0) return mask;
  if (monotonicity) {
    // patch_start_mask_from_entropy_with_monotonicity: mask[0] = True; mask[j] = e[j]-e[j-1] > t
    mask[0] = 1;
    for (let j = 1; j < n; j++) mask[j] = f32((e[j] as number) - (e[j - 1] as number)) > t ? 1 : 0;
  } else if (thresholdAdd !== undefined) {
    // patch_start_mask_global_and_monotonicity: mask[0] = True; mask[1] = False (~mask[0]);
    // mask[j>=2] = (e[j]-e[j-1] > t_add) & (e[j] > t)
    const tAdd = f32(thresholdAdd);
    mask[0] = 1;
    for (let j = 2; j < n; j++) {
      mask[j] = f32((e[j] as number) - (e[j - 1] as number)) > tAdd && (e[j] as number) > t ? 1 : 0;
    }
  } else {
    for (let j = 0; j < n; j++) mask[j] = (e[j] as number) > t ? 1 : 0;
  }
  return mask;
}

/**
 * entropies H [L] → patch start positions (ascending; 0 and 1 first), as an Int32Array: a
 * 64 MiB document has ~15M patches, which a number[] grown by push holds at several times the size.
 */
export function entropyPatchStartsTyped(
  entropies: Float32Array,
  threshold: number,
  thresholdAdd: number | undefined,
  monotonicity: boolean,
  includeNextToken: boolean,
): Int32Array {
  const e = entropies.subarray(Math.min(1, entropies.length));
  let mask = entropyStartMask(e, threshold, thresholdAdd, monotonicity);
  // without the next token, the decision about token L (beyond the input) is dropped
  if (!includeNextToken) mask = mask.subarray(0, Math.max(0, mask.length - 1));
  let count = 2;
  for (let j = 0; j < mask.length; j++) count += mask[j] as number;
  const starts = new Int32Array(count);
  starts[1] = 1;
  let p = 2;
  for (let j = 0; j < mask.length; j++) if (mask[j]) starts[p++] = j + 2;
  return starts;
}

/** entropies H [L] → patch start positions (ascending; 0 and 1 first). */
export function entropyPatchStarts(
  entropies: Float32Array,
  threshold: number,
  thresholdAdd: number | undefined,
  monotonicity: boolean,
  includeNextToken: boolean,
): number[] {
  return Array.from(entropyPatchStartsTyped(entropies, threshold, thresholdAdd, monotonicity, includeNextToken));
}
