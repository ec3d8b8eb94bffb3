/**
 * The Parquet writer properties of a task's columns (encode-task.ts), and which columns one
 * parquet-wasm call can encode together.
 *
 * Per-column Parquet settings, chosen by measurement (docs/shards.md, "Bytes on disk"):
 *   doc_id, source, lang   ZSTD, dictionary         (tiny, repetitive)
 *   text                   ZSTD, plain              (0.58 B/B on multilingual text)
 *   n_tokens               ZSTD, delta
 *   entropies              ZSTD, plain              (2.97 B/B; byte-stream-split was larger)
 *   patch_lengths          ZSTD, dictionary (RLE)   (0.17 B/B)
 *   ngram_ids_*            uncompressed, DELTA_BINARY_PACKED: hash ids are near-random in
 *                          [0, vocab), ZSTD saves little after delta bit-packing and costs 3-5×
 *                          the time; dictionary encoding was the slowest part of the old writer.
 * No statistics on the list columns (min/max of hash ids or entropies prune nothing).
 */
import * as pw from 'parquet-wasm';
import { CORE_COLUMNS, FORMAT_VERSION } from './schema.js';

export const PARQUET_CREATED_BY = `blt-toolkit shards v${FORMAT_VERSION} (parquet-wasm)`;

/** What one column's writer properties set (see the table at the top). */
interface ColumnSettings {
  compression: pw.Compression;
  dictionary: boolean;
  encoding?: pw.Encoding;
  statistics: boolean;
}

function settingsOf(name: string): ColumnSettings {
  if (name.startsWith('ngram_ids_'))
    return { compression: pw.Compression.UNCOMPRESSED, dictionary: false, encoding: DELTA, statistics: false };
  if (name === 'entropies' || name === 'text')
    return { compression: pw.Compression.ZSTD, dictionary: false, statistics: false };
  if (name === 'patch_lengths') return { compression: pw.Compression.ZSTD, dictionary: true, statistics: false };
  if (name === 'n_tokens')
    return { compression: pw.Compression.ZSTD, dictionary: false, encoding: DELTA, statistics: true };
  return { compression: pw.Compression.ZSTD, dictionary: true, statistics: true };
}
const DELTA = pw.Encoding.DELTA_BINARY_PACKED;

function builder(rowGroupRows: number): pw.WriterPropertiesBuilder {
  return new pw.WriterPropertiesBuilder()
    .setCreatedBy(PARQUET_CREATED_BY)
    .setMaxRowGroupSize(Math.max(rowGroupRows, 1));
}

/** The writer properties of one column, as file-wide settings. */
export function columnProperties(name: string, rowGroupRows: number): pw.WriterProperties {
  const c = settingsOf(name);
  let b = builder(rowGroupRows).setCompression(c.compression);
  if (!c.dictionary) b = b.setDictionaryEnabled(false);
  if (c.encoding !== undefined) b = b.setEncoding(c.encoding);
  if (!c.statistics) b = b.setStatisticsEnabled(pw.EnabledStatistics.None);
  return b.build();
}

/**
 * The writer properties of several columns written by one call: the first column's settings
 * file-wide, the others' as per-column overrides. parquet-wasm matches a per-column setting
 * only on a top-level leaf's path (a list column's leaf is `name.list.item`, which its string
 * API cannot name), so `groupColumns` puts list columns together only when their settings
 * are equal.
 */
export function groupProperties(names: readonly string[], rowGroupRows: number): pw.WriterProperties {
  const first = settingsOf(names[0] as string);
  let b = builder(rowGroupRows).setCompression(first.compression);
  if (!first.dictionary) b = b.setDictionaryEnabled(false);
  if (first.encoding !== undefined) b = b.setEncoding(first.encoding);
  if (!first.statistics) b = b.setStatisticsEnabled(pw.EnabledStatistics.None);
  for (const name of names.slice(1)) {
    const c = settingsOf(name);
    if (c.compression !== first.compression) b = b.setColumnCompression(name, c.compression);
    if (c.dictionary !== first.dictionary) b = b.setColumnDictionaryEnabled(name, c.dictionary);
    if (c.encoding !== undefined) b = b.setColumnEncoding(name, c.encoding);
    if (c.statistics !== first.statistics)
      b = b.setColumnStatisticsEnabled(name, c.statistics ? pw.EnabledStatistics.Page : pw.EnabledStatistics.None);
  }
  return b.build();
}

const sameSettings = (a: string, b: string): boolean => JSON.stringify(settingsOf(a)) === JSON.stringify(settingsOf(b));

/**
 * Consecutive runs of columns one parquet-wasm call can encode with each column's own
 * settings: the scalar core columns (per-column overrides apply to them), and list columns
 * with equal settings (the n-gram id tables).
 */
export function groupColumns(names: readonly string[]): string[][] {
  const groups: string[][] = [];
  for (const name of names) {
    const last = groups.at(-1);
    const prev = last?.at(-1);
    const scalar = (n: string): boolean => (CORE_COLUMNS as readonly string[]).includes(n);
    if (last && prev !== undefined && ((scalar(prev) && scalar(name)) || sameSettings(prev, name))) last.push(name);
    else groups.push([name]);
  }
  return groups;
}
