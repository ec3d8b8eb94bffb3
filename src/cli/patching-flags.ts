/**
 * The patching flags shared by `blt patch`, `blt preprocess` and `blt repatch`: what each mode
 * uses (a flag the mode would ignore is refused, naming what was typed), and the help text of the
 * default threshold (the entropy model's calibrated one; the shipped model's value is shown).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BltError } from '../core/errors.js';
import { defaultEntropyModelDir } from '../entropy/default-model.js';
import { DEFAULT_THRESHOLD } from '../patching/patch-options.js';
import { longFlag, type OptionDef } from '../options/option-def.js';
import { PATCH_RULE_OPTIONS, type PatchingValues } from '../options/patching.js';

export type PatchingFlags = PatchingValues & { mode: string };

/** Refuses flags the mode ignores (each option's `onlyMode`) and a static mode without --patch-size. */
export function checkPatchingFlags(f: PatchingFlags): void {
  if (f.mode === 'static' && f.patchSize === undefined) {
    throw new BltError(
      'BAD_OPTION',
      'Expected --patch-size <n> with -m static (the integer length of every patch), got none.',
      'pass e.g. -m static --patch-size 4',
    );
  }
  const ignored: Array<{ typed: string; mode: string }> = [];
  for (const d of PATCH_RULE_OPTIONS as readonly OptionDef[]) {
    const v = f[d.key as keyof PatchingValues];
    if (d.onlyMode === undefined || d.onlyMode === f.mode || v === undefined || v === false) continue;
    ignored.push({ typed: v === true ? longFlag(d) : `${longFlag(d)} ${String(v)}`, mode: d.onlyMode });
  }
  if (ignored.length > 0) {
    const one = ignored.length === 1;
    throw new BltError(
      'BAD_OPTION',
      `${ignored.map((x) => x.typed).join(', ')} ${one ? 'has' : 'have'} no effect with -m ${f.mode}: ` +
        `${one ? 'it applies' : 'they apply'} to -m ${ignored[0]?.mode} only.`,
      `drop ${one ? 'it' : 'them'}, or choose the mode ${one ? 'it belongs' : 'they belong'} to`,
    );
  }
}

let shipped: number | null | undefined;

/** The shipped model's calibrated threshold (config.json training.patching.threshold), or null. */
export function shippedModelThreshold(): number | null {
  if (shipped !== undefined) return shipped;
  try {
    const c = JSON.parse(readFileSync(join(defaultEntropyModelDir(), 'config.json'), 'utf8')) as {
      training?: { patching?: { threshold?: unknown } };
    };
    const t = c.training?.patching?.threshold;
    shipped = typeof t === 'number' && Number.isFinite(t) ? t : null;
  } catch {
    shipped = null;
  }
  return shipped;
}

/** `(default: ...)` of a --threshold flag: the model's calibrated threshold, with the shipped model's value. */
export function thresholdDefaultHelp(): string {
  const s = shippedModelThreshold();
  return (
    `default: the entropy model's calibrated ` +
    `threshold${s === null ? '' : ` (${s.toFixed(4)} for the shipped model)`}, else the ` +
    `reference's ${DEFAULT_THRESHOLD.toFixed(4)}`
  );
}
