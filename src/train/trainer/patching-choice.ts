/**
 * Which patches a run trains on (issue "Train BLT", item 7: baselines in the same trainer).
 * `null` in the config means the shard set's stored patches; a PatchingChoice re-derives them from
 * the stored entropies (entropy mode) or the bytes (static, space, byte) with `blt repatch`'s
 * function into a copy under the run directory, so every scheme goes through the same loader.
 */
import { BltError, badOption } from '../../core/errors.js';
import { requireFinite, requireInt } from '../../core/validate.js';
import { PATCH_MODES, type PatchMode } from '../../patching/patch-options.js';
import { checkScriptThresholds } from '../../entropy/model-threshold.js';

export interface PatchingChoice {
  readonly mode: PatchMode;
  /** Entropy mode: global threshold (nats); default: the entropy model's calibrated one. */
  readonly threshold?: number;
  /** Static mode: bytes per patch (an integer). */
  readonly patchSize?: number;
  /** Split longer patches (any mode). */
  readonly maxPatchLength?: number;
  /** Entropy mode with `threshold`: per-script thresholds, one per document by its main script
   * (src/entropy/script-threshold.ts). */
  readonly scriptThresholds?: Readonly<Record<string, number>>;
}

const KEYS = ['mode', 'threshold', 'patchSize', 'maxPatchLength', 'scriptThresholds'];

/** Validates a choice (BAD_OPTION naming the flag) and returns a frozen copy without undefined keys. */
export function resolvePatchingChoice(raw: Partial<PatchingChoice>): PatchingChoice {
  if (raw === null || typeof raw !== 'object')
    throw badOption('--patching', `an object like {"mode":"static","patchSize":4}`, raw);
  for (const k of Object.keys(raw)) {
    if (!KEYS.includes(k))
      throw new BltError(
        'BAD_OPTION',
        `Unknown key \`${k}\` in the patching choice.`,
        `allowed keys: ${KEYS.join(', ')}`,
      );
  }
  const mode = raw.mode;
  if (typeof mode !== 'string' || !(PATCH_MODES as readonly string[]).includes(mode)) {
    throw badOption(
      '--patching',
      `one of ${PATCH_MODES.join(', ')}`,
      mode,
      "leave --patching out to train on the shard set's stored patches",
    );
  }
  const out: {
    mode: PatchMode;
    threshold?: number;
    patchSize?: number;
    maxPatchLength?: number;
    scriptThresholds?: Record<string, number>;
  } = { mode };
  const onlyFor = (flag: string, v: unknown, needed: PatchMode): boolean => {
    if (v !== undefined && mode !== needed)
      throw badOption(flag, `absent with --patching ${mode} (it only applies to ${needed} patching)`, v);
    return v !== undefined;
  };
  if (onlyFor('--threshold', raw.threshold, 'entropy')) out.threshold = requireFinite('--threshold', raw.threshold);
  if (onlyFor('--patch-size', raw.patchSize, 'static'))
    out.patchSize = requireInt('--patch-size', raw.patchSize, 1, 1 << 16);
  if (mode === 'static' && out.patchSize === undefined)
    throw badOption('--patch-size', 'an integer >= 1 with --patching static (e.g. 4)', undefined);
  if (raw.maxPatchLength !== undefined)
    out.maxPatchLength = requireInt('--max-patch-length', raw.maxPatchLength, 1, 1 << 16);
  if (raw.scriptThresholds !== undefined) {
    if (mode !== 'entropy' || out.threshold === undefined)
      throw badOption(
        'scriptThresholds',
        'entropy patching with an explicit threshold (the fallback for other scripts)',
        raw.scriptThresholds,
      );
    const table = checkScriptThresholds(raw.scriptThresholds, 'patching.scriptThresholds');
    if (table) out.scriptThresholds = table;
  }
  return Object.freeze(out);
}

/** A short name for logs and metrics: `stored`, `entropy(θ=2.1)`, `static(4)`, `space`, `byte`. */
export function patchingLabel(p: PatchingChoice | null): string {
  if (!p) return 'stored';
  const cap = p.maxPatchLength === undefined ? '' : `, max ${p.maxPatchLength}`;
  if (p.mode === 'entropy')
    return (
      `entropy(${p.threshold === undefined ? 'model threshold' : `θ=${p.threshold}`}` +
      `${p.scriptThresholds ? ' + per-script' : ''}${cap})`
    );
  if (p.mode === 'static') return `static(${p.patchSize ?? '?'}${cap})`;
  return cap === '' ? p.mode : `${p.mode}(${cap.slice(2)})`;
}
