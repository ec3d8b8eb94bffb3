import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MAIN = new URL('../../src/cli/main.ts', import.meta.url).pathname;
const TINY = JSON.stringify({ dim: 16, n_layers: 1, n_heads: 2, ffn_dim: 32, window: 16, max_seqlen: 32 });

function blt(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, BLT_BACKEND: 'wasm' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('cli: blt entropy train / eval', () => {
  let root: string;
  let text: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'blt-entropy-cli-'));
    text = join(root, 'lines.txt');
    const lines = Array.from(
      { length: 40 },
      (_, i) => `line ${i}: the quick brown fox jumps over the lazy dog ${i % 7}.`,
    );
    await writeFile(text, `${lines.join('\n')}\n`);
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('--help lists the options and the corpus names', () => {
    const r = blt('entropy', 'train', '--help');
    assert.equal(r.code, 0);
    for (const s of ['--kind', '--steps', '--resume', '--allow-cpu', '--val-fraction', 'udhr', 'brown'])
      assert.ok(r.stdout.includes(s), s);
  });

  it('a bad option is a BAD_OPTION naming the flag, what was expected and what was received', () => {
    const r = blt('entropy', 'train', text, '--out', join(root, 'bad'), '--lr', '-1');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /blt: error \[BAD_OPTION\]: Expected `--lr` to be a finite number > 0, got -1 \(number\)\./);
  });

  it('--kind ngram trains in seconds and prints held-out bits per byte as JSON', () => {
    const r = blt('entropy', 'train', text, '--lines', '--kind', 'ngram', '--out', join(root, 'ng'), '--json');
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { model: string; heldOutBpb: number; fingerprint: string };
    assert.ok(existsSync(out.model));
    assert.ok(out.heldOutBpb > 0 && out.heldOutBpb < 8);
  });

  it('trains a tiny transformer, then `entropy eval` reports bits per byte with the model fingerprint', () => {
    const out = join(root, 'tf');
    const t = blt(
      'entropy',
      'train',
      text,
      '--lines',
      '--out',
      out,
      '--config',
      TINY,
      '--steps',
      '4',
      '--seq-len',
      '16',
      '--batch-size',
      '2',
      '--json',
      '--quiet',
    );
    assert.equal(t.code, 0, t.stderr);
    const trained = JSON.parse(t.stdout) as { fingerprint: string; steps: number; backend: string };
    assert.equal(trained.steps, 4);
    assert.equal(trained.backend, 'wasm');
    const e = blt('entropy', 'eval', '--model', join(out, 'model'), text, '--lines', '--json');
    assert.equal(e.code, 0, e.stderr);
    const ev = JSON.parse(e.stdout) as Record<string, unknown>;
    for (const k of ['bitsPerByte', 'bytes', 'seconds', 'bytesPerSecond', 'backend', 'model']) assert.ok(k in ev, k);
    assert.equal(ev.model, trained.fingerprint);
    assert.equal(ev.backend, 'wasm');
  });

  it('refuses to train on the cpu backend unless --allow-cpu', () => {
    const r = blt('entropy', 'train', text, '--out', join(root, 'cpu'), '--backend', 'cpu', '--steps', '1');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /Refusing to train on the pure-JS cpu backend[\s\S]*--allow-cpu/);
  });

  it('SIGINT finishes the step, checkpoints and exits 130; --resume then completes the run', async () => {
    const out = join(root, 'sigint');
    const args = [
      '--import',
      'tsx',
      MAIN,
      'entropy',
      'train',
      text,
      '--lines',
      '--out',
      out,
      '--config',
      TINY,
      '--steps',
      '400',
      '--seq-len',
      '16',
      '--batch-size',
      '2',
      '--log-every',
      '1',
      '--checkpoint-every',
      '0',
      '--eval-every',
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
    assert.match(stderr, /interrupted at step \d+; checkpoint/);
    const steps = await readdir(join(out, 'checkpoints'));
    assert.equal(steps.length, 1);
    assert.ok(Number(steps[0]) >= 1 && Number(steps[0]) < 400);
    assert.ok(!existsSync(join(out, 'model')), 'no final model for an interrupted run');
    const resumed = spawnSync(process.execPath, [...args, '--resume', '--quiet', '--json'], {
      encoding: 'utf8',
      env: { ...process.env, BLT_BACKEND: 'wasm' },
    });
    assert.equal(resumed.status, 0, resumed.stderr);
    assert.equal((JSON.parse(resumed.stdout) as { steps: number }).steps, 400);
    const lines = (await readFile(join(out, 'metrics.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { event: string; step: number });
    assert.deepEqual(
      lines.filter((l) => l.event === 'train').map((l) => l.step),
      Array.from({ length: 400 }, (_, i) => i + 1),
    );
  });
});
