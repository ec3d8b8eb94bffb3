/**
 * `computeShardStats(dir)`: one streaming pass over a shard set → ShardStatsReport.
 *
 * Memory is flat in the number of documents: rows are read one row group at a time and only
 * histograms, per-group counters, one vocab-bit bitmap per n-gram table and a bounded id sample
 * (ngram-collisions.ts) are kept.
 */
import { languageSpread } from './language-spread.js';
import { BltError } from '../core/errors.js';
import { requireFinite, requireInt } from '../core/validate.js';
import { PatchStatsAccumulator } from '../patching/patch-stats.js';
import { patchLengths } from '../patching/patch-lengths.js';
import { DEFAULT_THRESHOLD } from '../patching/patch-options.js';
import { DEFAULT_HASH_VOCAB } from '../options/hashing.js';
import { readShardSet } from '../shards/reader.js';
import { columnNames, ngramColumnName } from '../shards/schema.js';
import { COLUMNWISE_SHARD_BYTES } from '../shards/verify-columnwise.js';
import { GroupTable } from './group-stats.js';
import { CollisionSampler, DEFAULT_COLLISION_BUDGET } from './ngram-collisions.js';
import { OccupancyBitmap } from './ngram-occupancy.js';
import { detectScript } from './script-bucket.js';
import { manifestNgramVocab, manifestPatching, shardSetInfo } from './shard-columns.js';
import { STATS_FORMAT, STATS_VERSION, type NgramTableReport, type ShardStatsReport } from './stats-report.js';
import { countUtf8Boundaries } from './utf8-boundaries.js';
import { ValueHistogram } from './value-histogram.js';

export interface ShardStatsOptions {
  /** stop after this many documents (the report says `complete: false`) */
  maxDocs?: number;
  /** re-derive patches from the stored entropies with this threshold instead of the stored lengths */
  threshold?: number;
  /** with `threshold`: the relative rule H[t-1] - H[t-2] > threshold */
  monotonicity?: boolean;
  /** measure n-gram tables (default true) */
  ngrams?: boolean;
  /** hashed n-gram vocabulary; default: the manifest's config, else 500 002 */
  ngramVocab?: number;
  /** distinct n-grams kept per table for the collision estimate (default 131072) */
  collisionBudget?: number;
  /**
   * shards above this many bytes make the n-gram tables read in passes of their own
   * (default COLUMNWISE_SHARD_BYTES)
   */
  columnwiseBytes?: number;
  /** called every `progressEvery` documents */
  onProgress?: (documents: number) => void;
}

interface TableState {
  report: Omit<NgramTableReport, keyof ReturnType<OccupancyBitmap['result']> | 'collisions'>;
  occupancy: OccupancyBitmap;
  collisions: CollisionSampler;
}

/** Patch lengths from entropies alone: entropy mode never reads the token values. */
function lengthsFromEntropies(entropies: Float32Array, threshold: number, monotonicity: boolean): Int32Array {
  const tokens = { length: entropies.length } as ArrayLike<number>;
  return patchLengths(tokens, { mode: 'entropy', entropies, threshold, monotonicity });
}

export async function computeShardStats(dir: string, opts: ShardStatsOptions = {}): Promise<ShardStatsReport> {
  const maxDocs = opts.maxDocs === undefined ? Infinity : requireInt('maxDocs', opts.maxDocs, 1);
  const { manifest, columns } = await shardSetInfo(dir);
  const recompute = opts.threshold !== undefined;
  if (recompute) requireFinite('threshold', opts.threshold);
  if (recompute && !columns.entropies) {
    throw new BltError(
      'BAD_OPTION',
      `Expected a shard set with an entropies column to re-derive patches with --threshold, got ${dir} without one.`,
      'drop --threshold to use the stored patch lengths (space-mode sets store no entropies)',
    );
  }
  const source: ShardStatsReport['patching']['source'] = recompute
    ? 'recomputed'
    : columns.patchLengths
      ? 'stored'
      : 'none';
  const stored = manifestPatching(manifest);
  const patching: ShardStatsReport['patching'] = recompute
    ? { source, mode: 'entropy', threshold: opts.threshold as number, monotonicity: opts.monotonicity === true }
    : source === 'stored'
      ? {
          source,
          ...stored,
          ...(stored.mode === 'entropy' && stored.threshold === undefined ? { threshold: DEFAULT_THRESHOLD } : {}),
        }
      : { source };

  const withNgrams = opts.ngrams !== false && columns.ngramTables.length > 0;
  const manifestVocab = manifestNgramVocab(manifest);
  const vocab =
    opts.ngramVocab !== undefined
      ? requireInt('ngramVocab', opts.ngramVocab, 1, 2 ** 31)
      : (manifestVocab ?? DEFAULT_HASH_VOCAB);
  const vocabFrom: NgramTableReport['vocabFrom'] =
    opts.ngramVocab !== undefined ? 'option' : manifestVocab !== undefined ? 'manifest' : 'default';
  const budget = requireInt('collisionBudget', opts.collisionBudget ?? DEFAULT_COLLISION_BUDGET, 1);
  const tables: TableState[] = withNgrams
    ? columns.ngramTables.map((t) => ({
        report: { column: ngramColumnName(t), groupSize: t.groupSize, hashFunction: t.hashFunction, vocabFrom },
        occupancy: new OccupancyBitmap(vocab),
        collisions: new CollisionSampler(t.groupSize, vocab, budget),
      }))
    : [];

  // shards holding huge documents: the n-gram tables in passes of their own, one table in memory at a time
  const tablePasses =
    tables.length > 0 && manifest.shards.some((s) => s.bytes > (opts.columnwiseBytes ?? COLUMNWISE_SHARD_BYTES));
  const wanted = columnNames({
    entropies: columns.entropies,
    patchLengths: columns.patchLengths && !recompute,
    ngramTables: withNgrams && !tablePasses ? columns.ngramTables : [],
  });
  const patchStats = new PatchStatsAccumulator();
  const entropy = new ValueHistogram();
  const bySource = new GroupTable();
  const byLanguage = new GroupTable();
  let documents = 0;
  let bytes = 0;
  let tokens = 0;
  let boundaries = 0;
  let inside = 0;
  let complete = true;

  for await (const row of readShardSet(dir, {
    columns: wanted.filter((c) => c === 'entropies' || c === 'patch_lengths' || c.startsWith('ngram_ids_')),
  })) {
    if (documents >= maxDocs) {
      complete = false;
      break;
    }
    documents++;
    bytes += row.bytes.length;
    tokens += row.nTokens;
    const lengths = recompute
      ? lengthsFromEntropies(row.entropies as Float32Array, opts.threshold as number, opts.monotonicity === true)
      : row.patchLengths;
    if (lengths) patchStats.add(lengths);
    const src = bySource.get(row.source);
    const lang =
      row.lang !== undefined && row.lang !== null && row.lang !== ''
        ? byLanguage.get(row.lang, 'column')
        : byLanguage.get(detectScript(row.bytes), 'script');
    src.addDocument(row.bytes.length, lengths);
    lang.addDocument(row.bytes.length, lengths);
    if (row.entropies) {
      const n = Math.max(0, row.entropies.length - 1); // the last entropy predicts past EOS
      let sum = 0;
      for (let i = 0; i < n; i++) {
        const h = row.entropies[i] as number;
        entropy.add(h);
        sum += h;
      }
      src.addEntropies(sum, n);
      lang.addEntropies(sum, n);
    }
    if (lengths) {
      const c = countUtf8Boundaries(row.bytes, lengths);
      boundaries += c.boundaries;
      inside += c.insideCharacter;
      src.addBoundaries(c.boundaries, c.insideCharacter);
      lang.addBoundaries(c.boundaries, c.insideCharacter);
    }
    const ids = row.ngramIds ?? [];
    tables.forEach((t, k) => {
      const a = ids[k];
      if (!a) return;
      t.occupancy.add(a);
      t.collisions.add(row.bytes, a);
    });
    if (opts.onProgress && documents % 1000 === 0) opts.onProgress(documents);
  }

  if (tablePasses) {
    for (const t of tables) {
      let n = 0;
      for await (const row of readShardSet(dir, { columns: [t.report.column] })) {
        if (n++ >= documents) break;
        const a = row.ngramIds?.[0];
        if (!a) continue;
        t.occupancy.add(a);
        t.collisions.add(row.bytes, a);
      }
    }
  }

  const p = source === 'none' ? null : patchStats.result();
  const languages = byLanguage.result();
  return {
    format: STATS_FORMAT,
    version: STATS_VERSION,
    shardDir: dir,
    documents,
    bytes,
    tokens,
    patches: p?.patches ?? 0,
    complete,
    patching,
    patchLength: p,
    bytesPerPatch: p && p.patches ? bytes / p.patches : 0,
    entropy: columns.entropies ? entropy.result() : null,
    utf8: { boundaries, insideCharacter: inside, share: boundaries ? inside / boundaries : 0 },
    bySource: bySource.result(),
    byLanguage: languages,
    ngrams: withNgrams
      ? tables.map((t) => ({ ...t.report, ...t.occupancy.result(), collisions: t.collisions.result() }))
      : null,
    languageSpread: languageSpread(languages),
  };
}
