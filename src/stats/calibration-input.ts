/**
 * Where calibration entropies come from: the stored entropies of a shard set (no model run),
 * or raw inputs scored with an entropy model. Both stop at `maxDocs` / `maxBytes`.
 *
 * Shard sets are sampled evenly: with the manifest's totals, each document is taken with
 * probability p = min(1, maxBytes / totalBytes, maxDocs / totalDocs), decided by a fixed hash
 * of its row number (deterministic: the same set gives the same sample), and reading stops when
 * a cap is reached. Every document is keyed by its script bucket (detectScript), for per-script
 * calibration. Inputs are taken in order from the start (scoring is what costs).
 */
import { BltError } from '../core/errors.js';
import { encodeBytes } from '../bytes/tokenizer.js';
import type { EntropyScorer } from '../entropy/open-scorer.js';
import { isBadRecord, listInputs, readInputs, type ReadOptions } from '../ingest/index.js';
import { readShardSet } from '../shards/reader.js';
import { CalibrationSample } from './calibration-sample.js';
import { shardSetInfo } from './shard-columns.js';
import { detectScript } from './script-bucket.js';

export interface SampleLimits {
  maxDocs: number;
  maxBytes: number;
}

export interface SampleInfo {
  documents: number;
  bytes: number;
  tokens: number;
  /** documents / bytes in the whole shard set (shards only) */
  setDocuments?: number;
  setBytes?: number;
  /** the per-document sampling probability (shards only) */
  rate?: number;
  /** inputs: records that could not be read and were skipped */
  badRecords?: number;
  /** shards: true when documents were sampled (rate < 1) */
  sampled?: boolean;
  /** true when a cap stopped the reading before the end */
  truncated: boolean;
}

const GOLDEN = 0x9e3779b1;

export async function sampleShardSet(
  dir: string,
  limits: SampleLimits,
): Promise<{ sample: CalibrationSample; info: SampleInfo }> {
  const { manifest, columns } = await shardSetInfo(dir);
  if (!columns.entropies) {
    throw new BltError(
      'BAD_INPUT',
      `Expected a shard set with stored entropies to calibrate on, got ${dir} without an entropies column.`,
      'preprocess in entropy mode (or with --store-entropies), or pass raw inputs to score them with --model',
    );
  }
  const t = manifest.totals;
  const rate = Math.min(
    1,
    t.bytes > 0 ? limits.maxBytes / t.bytes : 1,
    t.documents > 0 ? limits.maxDocs / t.documents : 1,
  );
  const cutoff = rate >= 1 ? 2 ** 32 : Math.floor(rate * 2 ** 32);
  const sample = new CalibrationSample();
  let row = 0;
  let truncated = false;
  for await (const r of readShardSet(dir, { columns: ['entropies'] })) {
    const take = Math.imul(row + 1, GOLDEN) >>> 0 < cutoff;
    row++;
    if (!take) continue;
    if (sample.documents >= limits.maxDocs || sample.bytes >= limits.maxBytes) {
      truncated = true;
      break;
    }
    sample.add(r.entropies as Float32Array, detectScript(r.bytes));
  }
  return {
    sample,
    info: {
      documents: sample.documents,
      bytes: sample.bytes,
      tokens: sample.tokens,
      setDocuments: t.documents,
      setBytes: t.bytes,
      rate,
      sampled: rate < 1,
      truncated,
    },
  };
}

export async function sampleInputs(
  inputs: string[],
  scorer: EntropyScorer,
  limits: SampleLimits,
  read: ReadOptions = {},
): Promise<{ sample: CalibrationSample; info: SampleInfo }> {
  const files = await listInputs(inputs);
  const sample = new CalibrationSample();
  let bad = 0;
  let bytes = 0;
  let truncated = false;
  let batch: Int32Array[] = [];
  let keys: string[] = [];
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    (await scorer.score(batch)).forEach((h, i) => sample.add(h, keys[i]));
    [batch, keys] = [[], []];
  };
  let docs = 0;
  for await (const rec of readInputs(files, read)) {
    if (isBadRecord(rec)) {
      bad++;
      continue;
    }
    if (docs >= limits.maxDocs || bytes >= limits.maxBytes) {
      truncated = true;
      break;
    }
    docs++;
    bytes += rec.bytes.length;
    batch.push(encodeBytes(rec.bytes));
    keys.push(detectScript(rec.bytes));
    if (batch.length >= 32) await flush();
  }
  await flush();
  return {
    sample,
    info: { documents: sample.documents, bytes: sample.bytes, tokens: sample.tokens, badRecords: bad, truncated },
  };
}
