/**
 * Per-task records are not fsynced one by one (only once per shard): after a power loss a
 * completion record of the open shard may be missing or empty. The resumed run rolls back to
 * that task and ends with the shards of an uninterrupted run; a bad record of a task in a
 * closed (fsynced) shard is damage and is refused.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BltError } from '../../src/core/errors.js';
import { resolvePreprocessConfig } from '../../src/preprocess/config.js';
import { runPreprocess } from '../../src/preprocess/run-preprocess.js';
import { ROOT } from '../helpers/run-cli.js';

async function shardFiles(dir: string): Promise<Map<string, Buffer>> {
  const names = (await readdir(dir)).filter((n) => n.startsWith('shard-')).sort();
  return new Map(await Promise.all(names.map(async (n) => [n, await readFile(join(dir, n))] as [string, Buffer])));
}

describe('preprocess: completion records after a power loss', function () {
  this.timeout(300_000);
  let root: string;
  const base = (out: string): Parameters<typeof resolvePreprocessConfig>[0] => ({
    inputs: [join(ROOT, 'data/samples/multilingual.jsonl')],
    out,
    mode: 'space',
    ngramSizes: [3],
    docsPerTask: 3,
    workers: 0,
    shardSizeBytes: 150_000,
  });
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'blt-durability-'));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('an empty record of the open shard is redone; the shards equal a fresh run; a bad record of a closed shard is refused', async () => {
    const fresh = join(root, 'fresh');
    await runPreprocess(resolvePreprocessConfig(base(fresh)));
    const out = join(root, 'cut');
    let n = 0;
    const first = await runPreprocess(resolvePreprocessConfig(base(out)), {
      shouldStop: () => n >= 12,
      progress: () => void n++,
    });
    assert.equal(first.status, 'interrupted');
    const state = JSON.parse(await readFile(join(out, '.shard-writer-state.json'), 'utf8')) as {
      nextTask: number;
      pending: Array<{ task: number }>;
      shards: unknown[];
    };
    assert.ok(state.shards.length >= 1 && state.pending.length >= 2, 'stopped inside a later shard');
    const lost = (state.pending[1] as { task: number }).task;
    await writeFile(join(out, 'completions', `task-${String(lost).padStart(6, '0')}.json`), ''); // the rename reached the disk, the data did not
    const done = await runPreprocess(resolvePreprocessConfig(base(out)));
    assert.equal(done.status, 'done');
    assert.equal(done.resumedFromTask, lost);
    assert.deepEqual(await shardFiles(out), await shardFiles(fresh));

    const damaged = join(root, 'damaged');
    n = 0;
    await runPreprocess(resolvePreprocessConfig(base(damaged)), {
      shouldStop: () => n >= 12,
      progress: () => void n++,
    });
    await writeFile(join(damaged, 'completions', 'task-000000.json'), '');
    await assert.rejects(
      runPreprocess(resolvePreprocessConfig(base(damaged))),
      (e: BltError) => e.code === 'STATE_FORMAT' && /task 0/.test(e.message),
    );
  });
});
