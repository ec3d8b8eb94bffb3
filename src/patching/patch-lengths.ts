/**
 * `patchLengths`: the reference's `Patcher.patch` for a batch of one sequence
 * (bytelatent/data/patcher.py; docs/reference.md §3). tokens [L] → patch lengths [P], summing to
 * L (or L + 1 with includeNextToken), no zero-length patch, each <= maxPatchLength.
 */
import { BltError, describeValue } from '../core/errors.js';
import { resolvePatchOptions, type PatchOptions } from './patch-options.js';
import { entropyPatchStartsTyped } from './entropy-patch-starts.js';
import { spacePatchStarts } from './space-patch-starts.js';
import { lengthsFromStarts, splitLongPatches, trimTrailingZeros } from './patch-lengths-from-starts.js';

export function patchLengths(tokens: ArrayLike<number>, opts: PatchOptions): Int32Array {
  if (tokens === null || typeof tokens !== 'object' || typeof tokens.length !== 'number') {
    throw new BltError(
      'BAD_OPTION',
      `Expected \`tokens\` to be an array or typed array of token ids, got ${describeValue(tokens)}.`,
    );
  }
  const o = resolvePatchOptions(opts, tokens.length);
  const L = tokens.length;
  const S = o.includeNextToken ? L + 1 : L;
  if (S === 0) return new Int32Array(0);
  // typed arrays throughout: a 64 MiB document has ~15M patches
  let lengths: Int32Array;
  switch (o.mode) {
    case 'byte':
      lengths = new Int32Array(S).fill(1);
      break;
    case 'static': {
      const size = o.patchSize;
      lengths = new Int32Array(Math.ceil(S / size)).fill(size);
      if (S % size !== 0) lengths[lengths.length - 1] = S % size;
      break;
    }
    case 'space':
      lengths = lengthsFromStarts(spacePatchStarts(tokens), S);
      break;
    case 'entropy':
      lengths = lengthsFromStarts(
        entropyPatchStartsTyped(
          o.entropies as Float32Array,
          o.threshold,
          o.thresholdAdd,
          o.monotonicity,
          o.includeNextToken,
        ),
        S,
      );
      break;
  }
  if (o.maxPatchLength !== undefined) lengths = splitLongPatches(lengths, o.maxPatchLength);
  return trimTrailingZeros(lengths);
}
