/**
 * `blt train`, `blt eval`, `blt generate` as a user runs them: JSON results, flag validation,
 * SIGINT (finish the step, checkpoint, exit 130, then --resume completes).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { resolvePreprocessConfig } from '../../src/preprocess/config.js';
import { runPreprocess } from '../../src/preprocess/run-preprocess.js';
import { tempDir, tinyModelDir, writeCorpus } from '../helpers/preprocess-fixtures.js';

const MAIN = new URL('../../src/cli/main.ts', import.meta.url).pathname;
const CONFIG = JSON.stringify({
  model: {
    dim_local_encoder: 16,
    dim_local_decoder: 16,
    n_heads_local: 2,
    dim_global: 32,
    n_layers_global: 1,
    n_heads_global: 2,
    cross_attn_k: 2,
    cross_attn_nheads: 2,
    local_window: 16,
    ngram: { sizes: [3, 4], functions: 1, vocab: 53 },
    multiple_of: 16,
  },
  batchSize: 2,
  seqLenPatches: 12,
  maxBytesPerRow: 48,
  bufferSize: 4,
  evalBatches: 2,
  finalEvalBatches: 4,
});

function blt(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, BLT_BACKEND: 'wasm' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('cli: blt train / eval / generate', function () {
  this.timeout(180_000);
  let shards: string;
  let root: string;
  before(async () => {
    const model = await tinyModelDir();
    const corpus = await writeCorpus(await tempDir('cli-corpus'), 30);
    shards = await tempDir('cli-shards');
    await runPreprocess(
      resolvePreprocessConfig({
        inputs: [corpus],
        out: shards,
        entropyModel: model,
        ngramIds: false,
        workers: 0,
        threshold: 5.13,
      }),
    );
    root = await tempDir('cli-runs');
  });

  it('validates flags: BAD_OPTION names the flag, what was expected and what was received', () => {
    const r = blt('train', '--data', shards, '--out', join(root, 'bad'), '--lr', '-1');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /\[BAD_OPTION\]: Expected `--lr` to be a finite number > 0, got -1 \(number\)\./);
  });

  it('trains (JSON result), then `eval --json` and `generate --json` read the run', () => {
    const out = join(root, 'ok');
    const t = blt(
      'train',
      '--data',
      shards,
      '--out',
      out,
      '--config',
      CONFIG,
      '--steps',
      '3',
      '--val-fraction',
      '0.2',
      '--json',
      '--quiet',
    );
    assert.equal(t.code, 0, t.stderr);
    const res = JSON.parse(t.stdout) as {
      steps: number;
      valBpb: number;
      unigramBpb: number;
      flopsPerByte: { train: number };
      meanPatchLength: number;
      patching: string;
    };
    assert.equal(res.steps, 3);
    assert.ok(res.valBpb > 0 && res.unigramBpb > 0 && res.flopsPerByte.train > 0);
    assert.equal(res.patching, 'stored');
    const e = blt('eval', '--checkpoint', out, '--data', shards, '--json');
    assert.equal(e.code, 0, e.stderr);
    const ev = JSON.parse(e.stdout) as Record<string, number>;
    for (const k of ['bitsPerByte', 'bytes', 'seconds', 'bytesPerSecond', 'step'])
      assert.equal(typeof ev[k], 'number', k);
    assert.equal(ev.step, 3);
    const g = blt(
      'generate',
      '--checkpoint',
      out,
      '--prompt',
      'The ',
      '--max-bytes',
      '8',
      '--temperature',
      '0.8',
      '--top-k',
      '5',
      '--seed',
      '1',
      '--json',
    );
    assert.equal(g.code, 0, g.stderr);
    const gen = JSON.parse(g.stdout) as { text: string; bytes: number; stop: string; patching: { mode: string } };
    assert.ok(gen.bytes <= 8);
    assert.equal(gen.patching.mode, 'entropy');
  });

  it('SIGINT finishes the step, checkpoints and exits 130; --resume completes the run', async () => {
    const out = join(root, 'sigint');
    const args = [
      '--import',
      'tsx',
      MAIN,
      'train',
      '--data',
      shards,
      '--out',
      out,
      '--config',
      CONFIG,
      '--steps',
      '120',
      '--log-every',
      '1',
      '--checkpoint-every',
      '0',
      '--eval-every',
      '0',
      '--val-fraction',
      '0',
    ];
    const child = spawn(process.execPath, args, { env: { ...process.env, BLT_BACKEND: 'wasm' } });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      if (stderr.includes('"event":"progress"') && !child.killed) child.kill('SIGINT');
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(code, 130, stderr);
    assert.match(stderr, /stopped at step \d+; checkpoint/);
    const steps = await readdir(join(out, 'checkpoints'));
    assert.equal(steps.length, 1);
    assert.ok(Number(steps[0]) >= 1 && Number(steps[0]) < 120);
    const resumed = spawnSync(process.execPath, [...args, '--steps', '120', '--resume', '--quiet', '--json'], {
      encoding: 'utf8',
      env: { ...process.env, BLT_BACKEND: 'wasm' },
    });
    assert.equal(resumed.status, 0, resumed.stderr);
    assert.equal((JSON.parse(resumed.stdout) as { steps: number }).steps, 120);
  });
});
