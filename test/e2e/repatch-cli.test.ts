import assert from 'node:assert/strict';
import { killAfterProgress as killAfter, runCli } from '../helpers/run-cli.js';
import {
  manifestWithoutTime,
  shardHashes,
  tempDir,
  tinyModelDir,
  writeCorpus,
} from '../helpers/preprocess-fixtures.js';

describe('blt repatch CLI', function () {
  this.timeout(600_000);
  let model: string;
  let corpus: string;
  let source: string;
  let fresh: string;
  const common = (model: string): string[] => [
    '--entropy-model',
    model,
    '--docs-per-task',
    '4',
    '--shard-size',
    '30kB',
    '--ngram-sizes',
    '3,4',
    '--workers',
    '1',
    '--quiet',
  ];
  before(async () => {
    model = await tinyModelDir();
    corpus = await writeCorpus(await tempDir('rpcli'), 300);
    source = await tempDir('rpcli-a');
    fresh = await tempDir('rpcli-b');
    assert.equal(runCli(['preprocess', corpus, '--out', source, '--threshold', '5.05', ...common(model)]).status, 0);
    assert.equal(runCli(['preprocess', corpus, '--out', fresh, '--threshold', '5.14', ...common(model)]).status, 0);
  });

  it('writes the set a fresh preprocess with the new threshold writes, and says so in its summary', async () => {
    const out = await tempDir('rpcli-out');
    const r = runCli(['repatch', source, '--out', out, '--threshold', '5.14', '--json']);
    assert.equal(r.status, 0, r.stderr);
    const s = JSON.parse(r.stdout) as {
      status: string;
      documents: number;
      source: string;
      patching: { threshold: number };
      reused: Record<string, boolean>;
      engine: unknown;
    };
    assert.equal(s.status, 'done');
    assert.equal(s.documents, 300);
    assert.equal(s.source, source);
    assert.equal(s.patching.threshold, 5.14);
    assert.deepEqual(s.reused, { entropies: true, ngrams: true, patches: false });
    assert.equal(s.engine, null);
    assert.deepEqual(await shardHashes(out), await shardHashes(fresh));
    assert.deepEqual(await manifestWithoutTime(out), await manifestWithoutTime(fresh));
    assert.equal(runCli(['verify', out]).status, 0);
    const text = runCli(['repatch', source, '--out', out, '--threshold', '5.14']);
    assert.match(text.stdout, /already complete/);
    assert.match(text.stdout, /repatched +from/);
  });

  it('a repatch SIGKILLed mid-run and started again ends with the same shards', async () => {
    const expected = await shardHashes(fresh);
    const out = await tempDir('rpcli-kill');
    const args = ['repatch', source, '--out', out, '--threshold', '5.14'];
    await killAfter(args, 1);
    const again = runCli([...args, '--json']);
    assert.equal(again.status, 0, again.stderr);
    assert.deepEqual(await shardHashes(out), expected);
  });

  it('refuses entropy mode without stored entropies, naming --store-entropies; reports bad options', async () => {
    const space = await tempDir('rpcli-space');
    assert.equal(runCli(['preprocess', corpus, '--out', space, '--mode', 'space', ...common(model)]).status, 0);
    const r = runCli(['repatch', space, '--out', await tempDir('rpcli-x')]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /BAD_OPTION/);
    assert.match(r.stderr, /--store-entropies/);
    const s = runCli(['repatch', source, '--out', await tempDir('rpcli-y'), '--mode', 'static', '--patch-size', '4.5']);
    assert.equal(s.status, 2);
    assert.match(s.stderr, /--patch-size/);
    const missing = runCli(['repatch', '/nonexistent/set', '--out', await tempDir('rpcli-z')]);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /NOT_FOUND/);
  });
});
