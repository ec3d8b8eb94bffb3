/**
 * Options of `patchLengths`, with the reference's `PatcherArgs` defaults
 * (bytelatent/data/patcher.py), resolved and validated in one place.
 */
import { BltError } from '../core/errors.js';
import { requireFinite, requireInt, requireOneOf, requirePositive } from '../core/validate.js';

export const PATCH_MODES = ['entropy', 'static', 'byte', 'space'] as const;
export type PatchMode = (typeof PATCH_MODES)[number];

/** The reference's default global entropy threshold (nats). */
export const DEFAULT_THRESHOLD = 1.335442066192627;
/** The reference's default patch size (static mode; also the calibration target). */
export const DEFAULT_PATCH_SIZE = 4.5;

export interface PatchOptions {
  mode: PatchMode;
  /** per-token entropies (nats), one per token; required in entropy mode */
  entropies?: ArrayLike<number>;
  /** global threshold θ (entropy mode; with `monotonicity` it is the relative threshold θ_r) */
  threshold?: number;
  /** with a global threshold: also require H[t-1] - H[t-2] > thresholdAdd */
  thresholdAdd?: number;
  /** relative (monotonic) rule: start where H[t-1] - H[t-2] > threshold */
  monotonicity?: boolean;
  /** split patches longer than this into pieces of this length */
  maxPatchLength?: number;
  /** static mode's patch length (an integer; the reference's default 4.5 cannot be used there) */
  patchSize?: number;
  /** lengths cover the sequence plus the next token (sum = L + 1), as during generation */
  includeNextToken?: boolean;
}

export interface ResolvedPatchOptions {
  mode: PatchMode;
  entropies: Float32Array | undefined;
  threshold: number;
  thresholdAdd: number | undefined;
  monotonicity: boolean;
  maxPatchLength: number | undefined;
  patchSize: number;
  includeNextToken: boolean;
}

/** The patching fields of a settings object (request, CLI, manifest) as `patchLengths` options. */
export function toPatchOptions(p: {
  mode: PatchMode;
  threshold?: number | undefined;
  thresholdAdd?: number | undefined;
  monotonicity?: boolean | undefined;
  maxPatchLength?: number | undefined;
  patchSize?: number | undefined;
  includeNextToken?: boolean | undefined;
}): PatchOptions {
  const o: PatchOptions = {
    mode: p.mode,
    monotonicity: p.monotonicity === true,
    includeNextToken: p.includeNextToken === true,
  };
  if (p.threshold !== undefined) o.threshold = p.threshold;
  if (p.thresholdAdd !== undefined) o.thresholdAdd = p.thresholdAdd;
  if (p.maxPatchLength !== undefined) o.maxPatchLength = p.maxPatchLength;
  if (p.patchSize !== undefined) o.patchSize = p.patchSize;
  return o;
}

export function resolvePatchOptions(opts: PatchOptions, tokenCount: number): ResolvedPatchOptions {
  if (opts === null || typeof opts !== 'object') {
    throw new BltError('BAD_OPTION', 'Expected patching options to be an object such as { mode: "space" }.');
  }
  const mode = requireOneOf('mode', opts.mode, PATCH_MODES);
  const threshold = opts.threshold === undefined ? DEFAULT_THRESHOLD : requireFinite('threshold', opts.threshold);
  const thresholdAdd =
    opts.thresholdAdd === undefined || opts.thresholdAdd === null
      ? undefined
      : requireFinite('thresholdAdd', opts.thresholdAdd);
  const maxPatchLength =
    opts.maxPatchLength === undefined || opts.maxPatchLength === null
      ? undefined
      : requireInt('maxPatchLength', opts.maxPatchLength, 1);
  const patchSize = opts.patchSize === undefined ? DEFAULT_PATCH_SIZE : requirePositive('patchSize', opts.patchSize);
  if (mode === 'static' && !Number.isInteger(patchSize)) {
    throw new BltError(
      'BAD_OPTION',
      `Expected \`patchSize\` to be an integer >= 1 in static mode, got ${patchSize}.`,
      'the reference truncates a fractional size (4.5 -> 4) and then fails its own length check; pass e.g. ' +
        'patchSize: 4',
    );
  }
  let entropies: Float32Array | undefined;
  if (mode === 'entropy') {
    if (opts.entropies === undefined || opts.entropies === null) {
      throw new BltError(
        'BAD_OPTION',
        'Expected `entropies` (one per token) in entropy mode, got nothing.',
        'score the tokens with an entropy model first, or use mode "space" or "static"',
      );
    }
    if (opts.entropies.length !== tokenCount) {
      throw new BltError('BAD_OPTION', `Expected one entropy per token (${tokenCount}), got ${opts.entropies.length}.`);
    }
    // the reference casts stored entropies to float32 before every comparison
    entropies = opts.entropies instanceof Float32Array ? opts.entropies : Float32Array.from(opts.entropies);
    for (let i = 0; i < entropies.length; i++) {
      if (Number.isNaN(entropies[i]))
        throw new BltError('BAD_OPTION', `Expected finite entropies, got NaN at index ${i}.`);
    }
  }
  return {
    mode,
    entropies,
    threshold,
    thresholdAdd,
    monotonicity: opts.monotonicity === true,
    maxPatchLength,
    patchSize,
    includeNextToken: opts.includeNextToken === true,
  };
}
