import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { resolvePreprocessConfig } from '../../../src/preprocess/config.js';
import { runPreprocess } from '../../../src/preprocess/run-preprocess.js';
import { computeShardStats } from '../../../src/stats/shard-stats.js';
import { tempDir, tinyModelDir, writeCorpus } from '../../helpers/preprocess-fixtures.js';

describe('blt stats agrees with an independent DuckDB recount of the shard files', function () {
  this.timeout(300_000);

  it('documents, bytes, tokens, patches, mean and max patch length', async () => {
    const out = await tempDir('stats-duck');
    const corpus = await writeCorpus(await tempDir('stats-duck-corpus'), 80);
    await runPreprocess(
      resolvePreprocessConfig({
        inputs: [corpus],
        out,
        entropyModel: await tinyModelDir(),
        workers: 0,
        threshold: 1.5,
        ngramSizes: [3],
        shardSizeBytes: 20_000,
      }),
    );
    const stats = (await computeShardStats(out)) as unknown as {
      documents: number;
      bytes: number;
      tokens: number;
      patches: number;
      patchLength: { mean: number; max: number };
    };
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    const r = await conn.runAndReadAll(`
      SELECT count(*) AS docs, sum(octet_length(text)) AS bytes, sum(n_tokens) AS tokens,
             sum(len(patch_lengths)) AS patches, max(list_max(patch_lengths)) AS maxlen
      FROM read_parquet('${join(out, 'shard-*.parquet')}')`);
    const row = r.getRowObjects()[0] as Record<string, unknown>;
    conn.closeSync();
    assert.equal(stats.documents, Number(row.docs));
    assert.equal(stats.bytes, Number(row.bytes));
    assert.equal(stats.tokens, Number(row.tokens));
    assert.equal(stats.patches, Number(row.patches));
    assert.equal(stats.patchLength.max, Number(row.maxlen));
    assert.ok(Math.abs(stats.patchLength.mean - Number(row.tokens) / Number(row.patches)) < 1e-9);
  });
});
