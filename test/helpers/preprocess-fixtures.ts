/** Shared fixtures for pipeline tests: a tiny random entropy model and a small multilingual corpus. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { initBackend } from '../../src/backend/select-backend.js';
import { createEntropyTransformer, disposeEntropyTransformer } from '../../src/entropy/transformer/model.js';
import { entropyConfig } from '../../src/entropy/transformer/config.js';
import { saveEntropyModel } from '../../src/entropy/model-format/model-dir.js';

export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `blt-${prefix}-`));
}

/** A tiny transformer entropy model (random weights, seed 1) saved to a temp directory. */
export async function tinyModelDir(): Promise<string> {
  await initBackend('wasm');
  const dir = join(await tempDir('model'), 'model');
  const model = createEntropyTransformer(
    entropyConfig({ dim: 32, n_layers: 1, n_heads: 2, ffn_dim: 64, window: 32, max_seqlen: 64 }),
    1,
  );
  await saveEntropyModel(dir, model);
  disposeEntropyTransformer(model);
  return dir;
}

const TEXTS = [
  'The Universal Declaration of Human Rights.',
  'Alle Menschen sind frei und gleich an Würde und Rechten geboren.',
  'Все люди рождаются свободными и равными в своем достоинстве и правах.',
  '人人生而自由，在尊严和权利上一律平等。',
  'جميع الناس يولدون أحرارا متساوين في الكرامة والحقوق.',
  'Tous les êtres humains naissent libres et égaux en dignité et en droits.',
  'ทุกคนเกิดมามีอิสระและเสมอภาคกันในศักดิ์ศรีและสิทธิ',
  'Όλοι οι άνθρωποι γεννιούνται ελεύθεροι και ίσοι στην αξιοπρέπεια.',
];

/** A JSONL corpus of `n` documents (ids doc-0..), optionally with bad lines mixed in. */
export async function writeCorpus(dir: string, n: number, opts: { bad?: boolean } = {}): Promise<string> {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    lines.push(JSON.stringify({ id: `doc-${i}`, text: `${TEXTS[i % TEXTS.length]} #${i} ${'x'.repeat(i % 7)}` }));
    if (opts.bad && i % 5 === 2) lines.push('{"id": "broken", "text": ');
    if (opts.bad && i % 7 === 3) lines.push(JSON.stringify({ id: `notext-${i}`, body: 'no text field' }));
    if (opts.bad && i % 9 === 4) lines.push(JSON.stringify({ id: `empty-${i}`, text: '' }));
  }
  const path = join(dir, 'corpus.jsonl');
  await writeFile(path, `${lines.join('\n')}\n`);
  return path;
}

/** sha256 of every shard file in a directory, by name. */
export async function shardHashes(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of (await readdir(dir)).filter((n) => /^shard-\d+\.(parquet|arrow)$/.test(n)).sort()) {
    out[f] = createHash('sha256')
      .update(await readFile(join(dir, f)))
      .digest('hex');
  }
  return out;
}

/** The manifest without its creation time. */
export async function manifestWithoutTime(dir: string): Promise<unknown> {
  const m = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as Record<string, unknown>;
  delete m.createdAt;
  return m;
}
