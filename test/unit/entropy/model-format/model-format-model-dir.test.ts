import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../../../src/backend/select-backend.js';
import { BltError } from '../../../../src/core/errors.js';
import { canonicalJson } from '../../../../src/core/canonical-json.js';
import { fingerprintOf } from '../../../../src/entropy/model-format/fingerprint.js';
import {
  loadEntropyModel,
  modelFingerprint,
  saveEntropyModel,
} from '../../../../src/entropy/model-format/model-dir.js';
import { encodeSafetensors } from '../../../../src/entropy/model-format/safetensors.js';
import {
  createEntropyTransformer,
  disposeEntropyTransformer,
  entropyConfig,
  exportWeightArrays,
  forwardLogits,
  type EntropyTransformer,
} from '../../../../src/entropy/transformer/index.js';

const config = entropyConfig({ dim: 16, n_layers: 2, n_heads: 2, ffn_dim: 32, window: 8, max_seqlen: 16 });

function logits(model: EntropyTransformer): Float32Array {
  const x = tf.tensor2d(
    Int32Array.from({ length: 24 }, (_, i) => 4 + ((i * 37) % 256)),
    [2, 12],
    'int32',
  );
  const y = forwardLogits(model, x);
  const out = y.dataSync() as Float32Array;
  tf.dispose([x, y]);
  return out;
}

const isCode =
  (code: string, re: RegExp) =>
  (e: unknown): boolean =>
    e instanceof BltError && e.code === code && re.test(e.message);

describe('model format: model directory', () => {
  let root: string;
  let model: EntropyTransformer;

  before(async () => {
    await initBackend('cpu');
    root = await mkdtemp(join(tmpdir(), 'blt-modeldir-'));
    model = createEntropyTransformer(config, 3);
  });
  after(async () => {
    disposeEntropyTransformer(model);
    await rm(root, { recursive: true, force: true });
  });

  it('save → load gives identical weights, logits and fingerprint; writes the three files only', async () => {
    const dir = join(root, 'a');
    const { fingerprint } = await saveEntropyModel(dir, model, { training: { steps: 10, bpb: 2.5 } });
    assert.match(fingerprint, /^[0-9a-f]{64}$/);
    assert.deepEqual((await readdir(dir)).sort(), ['config.json', 'meta.json', 'model.safetensors']);
    assert.deepEqual((await readdir(root)).sort(), ['a'], 'no temporary directory left behind');
    const cfg = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(cfg.format, 'blt-entropy-transformer');
    assert.equal(cfg.version, 1);
    assert.deepEqual(cfg.training, { steps: 10, bpb: 2.5 });
    const meta = JSON.parse(await readFile(join(dir, 'meta.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(meta.fingerprint, fingerprint);
    assert.equal(meta.tool, 'blt-toolkit');
    assert.ok(typeof meta.created === 'string' && !Number.isNaN(Date.parse(meta.created)));

    const loaded = await loadEntropyModel(dir);
    try {
      assert.equal(loaded.fingerprint, fingerprint);
      assert.deepEqual(loaded.training, { steps: 10, bpb: 2.5 });
      assert.deepEqual(loaded.model.config, config);
      assert.deepEqual(exportWeightArrays(loaded.model), exportWeightArrays(model));
      assert.deepEqual(logits(loaded.model), logits(model));
    } finally {
      disposeEntropyTransformer(loaded.model);
    }
    assert.equal(await modelFingerprint(dir), fingerprint);
  });

  it('fingerprint = sha256(canonical architecture JSON ‖ safetensors bytes); training metadata does not enter it', async () => {
    const a = await saveEntropyModel(join(root, 'f1'), model, { training: { run: 1 } });
    const b = await saveEntropyModel(join(root, 'f2'), model);
    assert.equal(a.fingerprint, b.fingerprint);
    const bytes = await readFile(join(root, 'f1', 'model.safetensors'));
    assert.equal(fingerprintOf(config, bytes), a.fingerprint);
    assert.equal(
      canonicalJson({ b: 1, a: { d: [1, { f: 2, e: 3 }], c: 1e-5 } }),
      '{"a":{"c":0.00001,"d":[1,{"e":3,"f":2}]},"b":1}',
    );
    const other = createEntropyTransformer(config, 4);
    try {
      assert.notEqual((await saveEntropyModel(join(root, 'f3'), other)).fingerprint, a.fingerprint);
    } finally {
      disposeEntropyTransformer(other);
    }
  });

  it('replaces an existing model directory atomically, but refuses a directory with foreign files', async () => {
    const dir = join(root, 'r');
    await saveEntropyModel(dir, model);
    const other = createEntropyTransformer(config, 5);
    try {
      const { fingerprint } = await saveEntropyModel(dir, other);
      assert.equal(await modelFingerprint(dir), fingerprint);
      assert.deepEqual(
        (await readdir(root)).filter((n) => n.startsWith('r')),
        ['r'],
      );
    } finally {
      disposeEntropyTransformer(other);
    }
    const foreign = join(root, 'foreign');
    await mkdir(foreign);
    await writeFile(join(foreign, 'notes.txt'), 'keep me');
    await assert.rejects(saveEntropyModel(foreign, model), isCode('BAD_OPTION', /Refusing to replace .*notes\.txt/));
    assert.equal(await readFile(join(foreign, 'notes.txt'), 'utf8'), 'keep me');
  });

  it('missing directory → NOT_FOUND; missing, truncated or inconsistent files → MODEL_FORMAT', async () => {
    await assert.rejects(loadEntropyModel(join(root, 'nope')), isCode('NOT_FOUND', /nope does not exist/));
    const fresh = async (name: string): Promise<string> => {
      const dir = join(root, name);
      await saveEntropyModel(dir, model);
      return dir;
    };
    const st = async (dir: string): Promise<Buffer> => readFile(join(dir, 'model.safetensors'));

    let dir = await fresh('missing');
    await rm(join(dir, 'meta.json'));
    await assert.rejects(loadEntropyModel(dir), isCode('MODEL_FORMAT', /meta\.json cannot be read \(ENOENT\)/));

    dir = await fresh('truncated');
    const bytes = await st(dir);
    await writeFile(join(dir, 'model.safetensors'), bytes.subarray(0, bytes.length - 100));
    await assert.rejects(
      loadEntropyModel(dir),
      isCode('MODEL_FORMAT', /model\.safetensors: tensor data needs \d+ bytes .*truncated/),
    );

    dir = await fresh('flipped');
    const flipped = await st(dir);
    flipped[flipped.length - 1] = (flipped[flipped.length - 1] as number) ^ 1;
    await writeFile(join(dir, 'model.safetensors'), flipped);
    await assert.rejects(loadEntropyModel(dir), isCode('MODEL_FORMAT', /fingerprint mismatch/));
    await assert.rejects(modelFingerprint(dir), isCode('MODEL_FORMAT', /fingerprint mismatch/));

    dir = await fresh('shape');
    const cfg = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
    await writeFile(join(dir, 'config.json'), JSON.stringify({ ...cfg, ffn_dim: 48 }));
    await assert.rejects(
      loadEntropyModel(dir),
      isCode('MODEL_FORMAT', /feed_forward\.w1\.weight has shape \[32,16\], expected \[48,16\]/),
    );

    dir = await fresh('extra');
    const arrays = exportWeightArrays(model);
    arrays.set('layers.2.attention.wq.weight', { shape: [1], data: Float32Array.from([0]) });
    await writeFile(join(dir, 'model.safetensors'), encodeSafetensors(arrays));
    await assert.rejects(
      loadEntropyModel(dir),
      isCode('MODEL_FORMAT', /unexpected tensor\(s\) layers\.2\.attention\.wq\.weight/),
    );

    dir = await fresh('badcfg');
    await writeFile(join(dir, 'config.json'), JSON.stringify({ ...cfg, n_heads: 3 }));
    await assert.rejects(loadEntropyModel(dir), isCode('MODEL_FORMAT', /config\.json: .*n_heads/));
    await writeFile(join(dir, 'config.json'), JSON.stringify({ ...cfg, format: 'something-else' }));
    await assert.rejects(
      loadEntropyModel(dir),
      isCode('MODEL_FORMAT', /expected format "blt-entropy-transformer" version 1/),
    );
    await writeFile(join(dir, 'config.json'), '{"format":');
    await assert.rejects(loadEntropyModel(dir), isCode('MODEL_FORMAT', /config\.json: not valid JSON/));
  });
});
