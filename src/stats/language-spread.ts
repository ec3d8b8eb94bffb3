/**
 * The spread of bytes per patch across languages (`blt stats`, issue 12 item 4): max / min of the
 * per-language text bytes per patch, over the language groups with at least `minBytes` of text
 * (tiny groups say little) and not `script:none`. 1 means every language gets patches of the same
 * size in bytes; the project's target for the default model is ≤ 3 on multilingual prose.
 */
import type { GroupStats } from './group-stats.js';

const SPREAD_MIN_BYTES = 4096;

export interface LanguageSpread {
  /** max / min bytes per patch (1 with fewer than two languages) */
  ratio: number;
  /** the languages with the fewest and most bytes per patch */
  min: { key: string; bytesPerPatch: number } | null;
  max: { key: string; bytesPerPatch: number } | null;
  /** languages counted, and the size floor */
  languages: number;
  minBytes: number;
}

export function languageSpread(groups: readonly GroupStats[], minBytes = SPREAD_MIN_BYTES): LanguageSpread {
  const gs = groups.filter((g) => g.bytes >= minBytes && g.patches > 0 && g.key !== 'script:none');
  if (gs.length === 0) return { ratio: 1, min: null, max: null, languages: 0, minBytes };
  let lo = gs[0] as GroupStats;
  let hi = lo;
  for (const g of gs) {
    if (g.bytesPerPatch < lo.bytesPerPatch) lo = g;
    if (g.bytesPerPatch > hi.bytesPerPatch) hi = g;
  }
  return {
    ratio: lo.bytesPerPatch > 0 ? hi.bytesPerPatch / lo.bytesPerPatch : Infinity,
    min: { key: lo.key, bytesPerPatch: lo.bytesPerPatch },
    max: { key: hi.key, bytesPerPatch: hi.bytesPerPatch },
    languages: gs.length,
    minBytes,
  };
}
