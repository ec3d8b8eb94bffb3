/**
 * A document near --max-doc-bytes (60 MB, generated here) goes through the real pipeline
 * (`blt preprocess`: a worker thread scores it with an n-gram model, hashes n-gram ids, encodes
 * and stages it, its list columns paged by list-chunk.ts), and every reader reads the shard back:
 * `blt verify`, `blt stats`, `blt repatch`, the training loader's ShardSource, readShardSet, and
 * DuckDB. Each CLI run is a child process whose peak RSS (all threads) must stay <= 2 GB.
 * Two n-gram sizes instead of six keep the run short; the path is the same.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { saveNgramModel, trainNgramModel } from '../../src/entropy/ngram/index.js';
import { spawnSync } from 'node:child_process';
import { encodeBytes } from '../../src/bytes/tokenizer.js';
import { openEntropyScorer } from '../../src/entropy/open-scorer.js';
import { hashNgramIds } from '../../src/patching/ngram-hash.js';
import { readShardSet } from '../../src/shards/reader.js';
import { readManifest } from '../../src/shards/manifest.js';
import { ShardSource } from '../../src/train/data/shard-source.js';
import { ROOT } from '../helpers/run-cli.js';

const DOC_BYTES = 60_000_000;
const MAX_RSS_KB = 2 * 2 ** 20; // 2 GiB

/** `blt <args>` in a child process: its result and peak RSS (KiB, test/helpers/report-max-rss.mjs). */
function runMeasured(args: string[]): { status: number | null; stdout: string; stderr: string; maxRssKb: number } {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--import', './test/helpers/report-max-rss.mjs', 'src/cli/main.ts', ...args],
    { cwd: ROOT, encoding: 'utf8', timeout: 900_000, maxBuffer: 64 * 2 ** 20 },
  );
  const m = /blt-test-max-rss-kb=(\d+)\s*$/.exec(r.stderr);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, maxRssKb: m ? Number(m[1]) : NaN };
}

const peaks: Record<string, number> = {};
function assertBounded(what: string, r: ReturnType<typeof runMeasured>): void {
  assert.equal(r.status, 0, r.stderr + r.stdout);
  peaks[what] = Math.round(r.maxRssKb / 1024);
  assert.ok(r.maxRssKb <= MAX_RSS_KB, `${what}: peak RSS ${peaks[what]} MiB, expected <= 2048 MiB`);
}

describe('preprocess: a 60 MB document is written and read back by every reader', function () {
  this.timeout(1_200_000);
  let root: string;
  let out: string;
  let bigSha: string;
  let model: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'blt-huge-doc-'));
    const lines = (await readFile(join(ROOT, 'data/samples/multilingual.txt'), 'utf8'))
      .split('\n')
      .filter((l) => l.length > 0);
    model = join(root, 'm.ngram');
    saveNgramModel(
      model,
      trainNgramModel(
        lines.map((l) => encodeBytes(l)),
        { order: 3 },
      ),
    );
    // the document: sample lines in a fixed shuffled order until 60 MB (multilingual UTF-8)
    const parts: string[] = [];
    let bytes = 0;
    for (let i = 0; bytes < DOC_BYTES; i++) {
      const l = lines[(i * 7919) % lines.length] as string;
      parts.push(l);
      bytes += Buffer.byteLength(l) + 1;
    }
    const big = Buffer.from(parts.join('\n')).subarray(0, DOC_BYTES);
    const text = big.toString('utf8').replace(/\uFFFD+$/, ''); // no cut character at the end
    bigSha = createHash('sha256').update(Buffer.from(text)).digest('hex');
    const jsonl = [
      JSON.stringify({ id: 'small-0', text: 'Hello, world.' }),
      JSON.stringify({ id: 'big', text }),
      JSON.stringify({ id: 'small-1', text: 'Grüße aus Köln.' }),
    ];
    await writeFile(join(root, 'in.jsonl'), `${jsonl.join('\n')}\n`);
    out = join(root, 'out');
    const r = runMeasured([
      'preprocess',
      join(root, 'in.jsonl'),
      '--out',
      out,
      '--workers',
      '1',
      '--entropy-model',
      `ngram:${model}`,
      '--ngram-sizes',
      '3,5',
      '--quiet',
      '--json',
    ]);
    assertBounded('preprocess', r);
    assert.equal((JSON.parse(r.stdout) as { documents: number }).documents, 3);
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
    console.log(`    peak RSS (MiB): ${JSON.stringify(peaks)}`);
  });

  it('blt verify passes and readShardSet gives the document back byte for byte, with all its columns', async () => {
    assertBounded('verify', runMeasured(['verify', out, '--json']));
    const scorer = await openEntropyScorer(`ngram:${model}`);
    const ids: string[] = [];
    for await (const row of readShardSet(out)) {
      ids.push(row.docId);
      const n = row.bytes.length + 2;
      assert.equal(row.nTokens, n);
      assert.equal(row.entropies?.length, n);
      assert.equal(row.ngramIds?.length, 2);
      for (const ids of row.ngramIds ?? []) assert.equal(ids.length, n);
      let sum = 0;
      for (const l of row.patchLengths ?? new Int32Array(0)) sum += l;
      assert.equal(sum, n);
      if (row.docId !== 'big') continue;
      assert.equal(createHash('sha256').update(row.bytes).digest('hex'), bigSha);
      // the values are those of the whole-document computation: ids in full, entropies of a prefix
      // (an order-3 model's entropies depend on the previous 2 tokens only)
      const tokens = encodeBytes(row.bytes);
      [3, 5].forEach((g, k) =>
        assert.ok(
          Buffer.from(hashNgramIds(tokens, g, 0, 500002).buffer).equals(
            Buffer.from(row.ngramIds![k]!.buffer, row.ngramIds![k]!.byteOffset, row.ngramIds![k]!.byteLength),
          ),
          `ngram_ids_${g}_0`,
        ),
      );
      const prefix = (await scorer.score([tokens.subarray(0, 3_000_000)]))[0]!;
      assert.deepEqual(row.entropies!.subarray(0, 2_999_990), prefix.subarray(0, 2_999_990));
    }
    await scorer.close();
    assert.deepEqual(ids, ['small-0', 'big', 'small-1']);
  });

  it('blt stats reads it', () => {
    const r = runMeasured(['stats', out, '--json']);
    assertBounded('stats', r);
    const j = JSON.parse(r.stdout) as { documents?: number; totals?: { documents: number } };
    assert.equal(j.documents ?? j.totals?.documents, 3);
  });

  it('the training loader reads it', async () => {
    const src = await ShardSource.open({ dirs: [out], seed: 1, shuffle: false });
    const lengths: number[] = [];
    for (let d = await src.next(); d !== null; d = await src.next()) {
      lengths.push(d.tokens.length);
      assert.equal(
        d.patchLengths.reduce((a, b) => a + b, 0),
        d.tokens.length,
      );
    }
    assert.equal(lengths.length, 3);
    assert.ok((lengths[1] as number) > DOC_BYTES - 10);
  });

  it('DuckDB reads it', async () => {
    const m = await readManifest(out);
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    try {
      const files = m.shards.map((s) => `'${join(out, s.file)}'`).join(', ');
      const r = await c.runAndReadAll(
        `SELECT doc_id, octet_length(text) AS b, len(entropies) AS e, len(ngram_ids_5_0) AS g, list_sum(patch_lengths) AS p, n_tokens FROM read_parquet([${files}]) ORDER BY doc_id`,
      );
      const rows = r.getRowObjects().map((o) => ({
        id: String(o.doc_id),
        b: Number(o.b),
        e: Number(o.e),
        g: Number(o.g),
        p: Number(o.p),
        n: Number(o.n_tokens),
      }));
      const big = rows.find((x) => x.id === 'big');
      assert.ok(big && big.b > DOC_BYTES - 10);
      for (const x of rows) assert.deepEqual([x.e, x.g, x.p], [x.n, x.n, x.n]);
    } finally {
      c.closeSync();
      db.closeSync();
    }
  });

  it('blt repatch re-derives its boundaries from the stored entropies', async () => {
    const r = runMeasured([
      'repatch',
      out,
      '--out',
      join(root, 'repatched'),
      '--threshold',
      '3.5',
      '--json',
      '--quiet',
    ]);
    assertBounded('repatch', r);
    assertBounded('verify (repatched)', runMeasured(['verify', join(root, 'repatched'), '--json']));
    // the n-gram ids (rehashed one table at a time for a source this large) equal the source's
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    try {
      const ids = async (dir: string): Promise<unknown> =>
        (
          await c.runAndReadAll(
            `SELECT doc_id, hash(ngram_ids_3_0) AS a, hash(ngram_ids_5_0) AS b FROM read_parquet('${dir}/shard-*.parquet') ORDER BY doc_id`,
          )
        ).getRowObjectsJson();
      assert.deepEqual(await ids(join(root, 'repatched')), await ids(out));
    } finally {
      c.closeSync();
      db.closeSync();
    }
  });
});
