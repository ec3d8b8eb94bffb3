/**
 * Issue 13 item 1: everything `blt entropy train` writes (either kind: the --out directory, the
 * model file or directory, a file inside it, a checkpoint) is accepted by every --model /
 * --entropy-model flag, with or without `ngram:`; unclear cases say what was found and what is
 * accepted. Resolution: src/entropy/model-format/resolve-model.ts.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BltError } from '../../src/core/errors.js';
import { resolveEntropyModel } from '../../src/entropy/model-format/resolve-model.js';
import { entropyModelFingerprint, openEntropyScorer } from '../../src/entropy/open-scorer.js';
import { encodeBytes } from '../../src/bytes/tokenizer.js';
import { runCli } from '../helpers/run-cli.js';

describe('entropy model paths (every flag accepts what entropy train writes)', function () {
  this.timeout(600_000);
  let dir: string;
  let ng: string;
  let ngFile: string;
  let tr: string;
  const text = 'the quick brown fox jumps over the lazy dog\nhello world, this is some text\n'.repeat(40);

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'blt-paths-'));
    writeFileSync(join(dir, 'a.txt'), text);
    ng = join(dir, 'ng');
    ngFile = join(dir, 'file-model.ngram');
    tr = join(dir, 'tr');
    for (const out of [ng, ngFile]) {
      const r = runCli(['entropy', 'train', '--kind', 'ngram', '--lines', join(dir, 'a.txt'), '--out', out, '--json']);
      assert.equal(r.status, 0, r.stderr);
    }
    const t = runCli([
      'entropy',
      'train',
      join(dir, 'a.txt'),
      '--lines',
      '--out',
      tr,
      '--steps',
      '4',
      '--dim',
      '16',
      '--layers',
      '1',
      '--heads',
      '2',
      '--window',
      '16',
      '--checkpoint-every',
      '2',
      '--eval-every',
      '0',
      '--quiet',
      '--json',
    ]);
    assert.equal(t.status, 0, t.stderr);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('resolves every n-gram spelling to the same file', () => {
    for (const typed of [ng, join(ng, 'model.ngram'), `ngram:${ng}`, `ngram:${join(ng, 'model.ngram')}`]) {
      const r = resolveEntropyModel(typed);
      assert.equal(r.kind, 'ngram', typed);
      assert.equal(r.path, join(ng, 'model.ngram'), typed);
      // found through the directory: the directory is the spec (its config.json may carry a calibration)
      assert.equal(r.spec, typed.endsWith('.ngram') ? `ngram:${join(ng, 'model.ngram')}` : ng, typed);
    }
    // the shipped short names
    assert.equal(resolveEntropyModel('ngram').kind, 'ngram');
    assert.equal(resolveEntropyModel('transformer').kind, 'transformer');
    // a model file under another name is recognised by its header
    const renamed = join(dir, 'renamed.bin');
    cpSync(join(ng, 'model.ngram'), renamed);
    assert.equal(resolveEntropyModel(renamed).kind, 'ngram');
    assert.equal(resolveEntropyModel(ngFile).path, ngFile);
  });

  it('resolves the transformer run directory, the model, its files and the checkpoints', () => {
    const model = join(tr, 'model');
    for (const typed of [tr, model, join(model, 'config.json'), join(model, 'model.safetensors')]) {
      const r = resolveEntropyModel(typed);
      assert.deepEqual([r.kind, r.path], ['transformer', model], typed);
    }
    const ck = join(tr, 'checkpoints', '0000000004');
    for (const typed of [ck, join(ck, 'train-state.json'), join(tr, 'checkpoints')]) {
      const r = resolveEntropyModel(typed);
      assert.deepEqual([r.kind, r.path], ['checkpoint', ck], typed);
    }
    assert.equal(resolveEntropyModel(join(tr, 'checkpoints', '0000000002')).kind, 'checkpoint');
    // an unfinished run (no model/ yet) → its newest checkpoint
    const unfinished = join(dir, 'unfinished');
    mkdirSync(unfinished);
    cpSync(join(tr, 'checkpoints'), join(unfinished, 'checkpoints'), { recursive: true });
    const u = resolveEntropyModel(unfinished);
    assert.deepEqual([u.kind, u.path], ['checkpoint', join(unfinished, 'checkpoints', '0000000004')]);
    assert.match(u.note ?? '', /unfinished training run/);
  });

  it('refuses unclear cases, saying what was found and what is accepted', () => {
    const both = join(dir, 'both');
    mkdirSync(both);
    cpSync(join(ng, 'model.ngram'), join(both, 'model.ngram'));
    cpSync(join(tr, 'model'), join(both, 'model'), { recursive: true });
    const refusal = (typed: string, flag: string): BltError => {
      try {
        resolveEntropyModel(typed, flag);
      } catch (err) {
        assert.ok(err instanceof BltError);
        return err;
      }
      return assert.fail(`${typed} was accepted`);
    };
    const two = refusal(both, '--entropy-model');
    assert.equal(two.code, 'MODEL_FORMAT');
    assert.match(two.message, /two entropy models/);
    assert.ok(two.message.includes(join(both, 'model.ngram')) && two.message.includes(join(both, 'model')));
    assert.match(two.message, /--entropy-model ngram:/);
    const other = join(dir, 'other');
    mkdirSync(other);
    writeFileSync(join(other, 'notes.txt'), 'x');
    const none = refusal(other, '--model');
    assert.match(none.message, /holds no entropy model \(found notes\.txt\)/);
    assert.match(none.message, /a `blt entropy train --out` directory/);
    assert.equal(refusal(join(dir, 'a.txt'), '--model').code, 'MODEL_FORMAT');
    assert.equal(refusal(join(dir, 'missing'), '--model').code, 'NOT_FOUND');
    assert.match(refusal(`ngram:${tr}`, '--model').message, /ngram: names an n-gram model/);
  });

  it('openEntropyScorer and entropyModelFingerprint (used by every command and blt serve) take each spelling', async () => {
    const tokens = encodeBytes('hello world');
    const ref = await openEntropyScorer(`ngram:${join(ng, 'model.ngram')}`);
    const want = Array.from((await ref.score([tokens]))[0] as Float32Array);
    for (const typed of [ng, join(ng, 'model.ngram'), `ngram:${ng}`]) {
      const s = await openEntropyScorer(typed);
      assert.deepEqual(Array.from((await s.score([tokens]))[0] as Float32Array), want, typed);
      assert.equal(s.fingerprint, ref.fingerprint);
      await s.close();
      assert.deepEqual(await entropyModelFingerprint(typed), {
        spec: typed.endsWith('.ngram') ? `ngram:${join(ng, 'model.ngram')}` : ng,
        fingerprint: ref.fingerprint,
      });
    }
    const ck = join(tr, 'checkpoints', '0000000004');
    const viaRun = await openEntropyScorer(tr, { engine: 'tfjs', backend: 'wasm' });
    const viaCk = await openEntropyScorer(ck, { engine: 'tfjs', backend: 'wasm' });
    const a = (await viaRun.score([tokens]))[0] as Float32Array;
    const b = (await viaCk.score([tokens]))[0] as Float32Array;
    assert.equal(a.length, tokens.length);
    // the final model is the step-4 weights: the checkpoint scores the same
    assert.deepEqual(Array.from(b), Array.from(a));
    assert.equal((await entropyModelFingerprint(ck)).spec, ck);
    assert.match(viaCk.fingerprint, /^[0-9a-f]{64}$/);
    await viaRun.close();
    await viaCk.close();
  });

  it('blt patch --model, entropy eval --model and preprocess --entropy-model take the --out directory of either kind', () => {
    const want = JSON.parse(
      runCli(['patch', '--model', `ngram:${join(ng, 'model.ngram')}`, '--json', 'hello world']).stdout,
    ) as { documents: unknown };
    for (const typed of [ng, join(ng, 'model.ngram'), `ngram:${ng}`]) {
      const r = runCli(['patch', '--model', typed, '--json', 'hello world']);
      assert.equal(r.status, 0, `${typed}: ${r.stderr}`);
      assert.deepEqual((JSON.parse(r.stdout) as { documents: unknown }).documents, want.documents, typed);
    }
    const t = runCli(['patch', '--model', join(tr, 'checkpoints'), '--engine', 'tfjs', '--json', 'hello world']);
    assert.equal(t.status, 0, t.stderr);
    const e = runCli(['entropy', 'eval', join(dir, 'a.txt'), '--model', ng, '--json']);
    assert.equal(e.status, 0, e.stderr);
    assert.equal((JSON.parse(e.stdout) as { modelKind: string }).modelKind, 'ngram');
    const et = runCli(['entropy', 'eval', join(dir, 'a.txt'), '--model', tr, '--json', '--max-bytes', '64']);
    assert.equal(et.status, 0, et.stderr);
    assert.equal((JSON.parse(et.stdout) as { modelPath: string }).modelPath, join(tr, 'model'));
    const out = join(dir, 'shards');
    const p = runCli([
      'preprocess',
      join(dir, 'a.txt'),
      '--out',
      out,
      '--entropy-model',
      ng,
      '--workers',
      '0',
      '-q',
      '--json',
    ]);
    assert.equal(p.status, 0, p.stderr);
    const index = JSON.parse(readFileSync(join(out, 'index.json'), 'utf8')) as {
      config: { process: { entropy: { model: string } } };
    };
    assert.equal(index.config.process.entropy.model, ng);
    const bad = runCli(['preprocess', join(dir, 'a.txt'), '--out', join(dir, 'shards2'), '--entropy-model', dir, '-q']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--entropy-model .* holds no entropy model/);
  });
});
