import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BltError } from '../../src/core/errors.js';
import { resolvePreprocessConfig } from '../../src/preprocess/config.js';
import { runPreprocess } from '../../src/preprocess/run-preprocess.js';
import { readManifest } from '../../src/shards/manifest.js';
import { mergeShardSets } from '../../src/shards/merge.js';
import { readShardSet } from '../../src/shards/reader.js';
import { runCli } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/preprocess-fixtures.js';

/** issue 13 item 7: `blt merge` refuses repeated and missing partitions instead of duplicating or losing documents. */
describe('blt merge: partitions given twice or missing', function () {
  this.timeout(300_000);
  let corpus: string;
  const parts: string[] = [];
  const isBad =
    (re: RegExp) =>
    (e: unknown): boolean =>
      e instanceof BltError && e.code === 'BAD_OPTION' && re.test(e.message);
  before(async () => {
    corpus = await tempDir('merge-corpus');
    for (let i = 0; i < 6; i++) await writeFile(join(corpus, `f${i}.txt`), `document ${i}\n`.repeat(10 + i));
    for (let p = 0; p < 3; p++) {
      const out = await tempDir(`merge-p${p}`);
      const s = await runPreprocess(
        resolvePreprocessConfig({
          inputs: [corpus],
          out,
          mode: 'space',
          ngramIds: false,
          workers: 0,
          numPartitions: 3,
          partitionIndex: p,
        }),
      );
      assert.equal(s.status, 'done');
      assert.ok(s.documents > 0, `partition ${p} holds documents`);
      parts.push(out);
    }
  });
  const target = async (): Promise<string> => join(await tempDir('merge-out'), 'set');

  it('merges all partitions once: every document exactly once', async () => {
    const out = await target();
    const m = await mergeShardSets(parts, out);
    assert.equal(m.totals.documents, 6);
    const ids: string[] = [];
    for await (const r of readShardSet(out)) ids.push(r.docId);
    assert.equal(new Set(ids).size, 6);
  });

  it('refuses the same partition twice (same directory, or a copy of it), naming it', async () => {
    await assert.rejects(
      mergeShardSets([parts[0] as string, parts[1] as string, parts[2] as string, parts[1] as string], await target()),
      isBad(/given twice/),
    );
    const copy = await tempDir('merge-copy');
    const s = await runPreprocess(
      resolvePreprocessConfig({
        inputs: [corpus],
        out: copy,
        mode: 'space',
        ngramIds: false,
        workers: 0,
        numPartitions: 3,
        partitionIndex: 1,
      }),
    );
    assert.equal(s.status, 'done');
    await assert.rejects(
      mergeShardSets([...parts, copy], await target()),
      (e: unknown) =>
        e instanceof BltError &&
        e.code === 'BAD_OPTION' &&
        e.message.includes(parts[1] as string) &&
        e.message.includes(copy) &&
        /same documents|[Pp]artition 1 of 3 is given twice/.test(e.message),
    );
  });

  it('refuses an incomplete set (2 of 3 partitions), naming the missing one; --allow-incomplete records it', async () => {
    const out = await target();
    await assert.rejects(
      mergeShardSets([parts[0] as string, parts[2] as string], out),
      isBad(/all 3 partitions.*got 2.*missing partition 1\b/),
    );
    const m = await mergeShardSets([parts[0] as string, parts[2] as string], out, { allowIncomplete: true });
    assert.deepEqual(
      (m.config.mergedIncomplete as Array<{ missing: number[] }>).map((j) => j.missing),
      [[1]],
    );
    assert.deepEqual((await readManifest(out)).config.mergedIncomplete, m.config.mergedIncomplete);
  });

  it('the CLI exits 2 and names what is missing or repeated', async () => {
    const r = runCli(['merge', parts[0] as string, parts[1] as string, '--out', await target()]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /missing partition 2/);
    assert.match(r.stderr, /--allow-incomplete/);
    const twice = runCli(['merge', ...parts, parts[0] as string, '--out', await target()]);
    assert.equal(twice.status, 2);
    assert.match(twice.stderr, /given twice/);
    const ok = runCli([
      'merge',
      parts[0] as string,
      parts[1] as string,
      '--allow-incomplete',
      '--out',
      await target(),
      '--json',
    ]);
    assert.equal(ok.status, 0, ok.stderr);
  });
});
