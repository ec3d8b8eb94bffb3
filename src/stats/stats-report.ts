/**
 * The result of `computeShardStats` (`blt stats --json`). Keys are stable: scripts may rely on
 * them (docs/stats.md lists each one); add keys, never rename or remove them without bumping
 * `version`.
 */
import type { PatchStats } from '../patching/patch-stats.js';
import type { GroupStats } from './group-stats.js';
import type { LanguageSpread } from './language-spread.js';
import type { CollisionResult } from './ngram-collisions.js';
import type { OccupancyResult } from './ngram-occupancy.js';
import type { ValueSummary } from './value-histogram.js';

export const STATS_FORMAT = 'blt-stats';
export const STATS_VERSION = 1;

export interface NgramTableReport extends OccupancyResult {
  /** `ngram_ids_<g>_<f>` */
  column: string;
  groupSize: number;
  hashFunction: number;
  /** where `vocab` came from */
  vocabFrom: 'manifest' | 'option' | 'default';
  collisions: CollisionResult;
}

export interface ShardStatsReport {
  format: typeof STATS_FORMAT;
  version: typeof STATS_VERSION;
  shardDir: string;
  /** documents scanned (all of them unless --max-docs stopped early) */
  documents: number;
  /** text bytes of the scanned documents */
  bytes: number;
  /** tokens = bytes + 2 per document (BOS, EOS) */
  tokens: number;
  patches: number;
  /** false when --max-docs stopped before the end of the set */
  complete: boolean;
  /** which patch lengths were measured */
  patching: {
    source: 'stored' | 'recomputed' | 'none';
    mode?: string;
    threshold?: number;
    /** stored: the per-script thresholds the set was patched with (src/entropy/script-threshold.ts) */
    scriptThresholds?: Record<string, number>;
    monotonicity?: boolean;
  };
  /** patch lengths over tokens (the BOS patch and EOS included, as stored); null without patches */
  patchLength: PatchStats | null;
  /** bytes / patches */
  bytesPerPatch: number;
  /** entropies (nats) that predict a byte or EOS: n_tokens − 1 per document; null without entropies */
  entropy: ValueSummary | null;
  /** patch starts on bytes, and those inside a multi-byte UTF-8 character */
  utf8: { boundaries: number; insideCharacter: number; share: number };
  bySource: GroupStats[];
  /** the shard's `lang` when set (origin 'column'), else the detected script (origin 'script') */
  byLanguage: GroupStats[];
  /** max / min of the languages' bytes per patch (languages with ≥ 4 KiB of text) */
  languageSpread: LanguageSpread;
  /** one entry per n-gram id column; null when the set has none (or --no-ngrams) */
  ngrams: NgramTableReport[] | null;
}
