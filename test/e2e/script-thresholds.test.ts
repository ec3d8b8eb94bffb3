/**
 * Per-script thresholds (issue 12 item 4, docs/stats.md "Per-script thresholds"): a model's
 * calibration table picks ONE threshold per document by its main script, and the document is then
 * patched by the reference's global rule, bit-exact; the table is recorded in the manifest (and so
 * in the patches fingerprint). Per-script calibration evens out bytes per patch across scripts,
 * and `blt stats` reports the spread.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { documentThreshold } from '../../src/entropy/script-threshold.js';
import { readModelPatching, resolveThreshold, writeModelPatching } from '../../src/entropy/model-threshold.js';
import { encodeBytes } from '../../src/bytes/tokenizer.js';
import { patchLengths } from '../../src/patching/patch-lengths.js';
import { DEFAULT_THRESHOLD } from '../../src/patching/patch-options.js';
import { patchAndHash } from '../../src/preprocess/process-docs.js';
import { resolvePreprocessConfig } from '../../src/preprocess/config.js';
import { runPreprocess } from '../../src/preprocess/run-preprocess.js';
import { readManifest } from '../../src/shards/manifest.js';
import { readShardSet } from '../../src/shards/reader.js';
import { calibrateByScript } from '../../src/stats/calibrate-by-script.js';
import { CalibrationSample } from '../../src/stats/calibration-sample.js';
import { languageSpread } from '../../src/stats/language-spread.js';
import { computeShardStats } from '../../src/stats/shard-stats.js';
import { modelFingerprint } from '../../src/entropy/model-format/model-dir.js';
import { tempDir, tinyModelDir } from '../helpers/preprocess-fixtures.js';
import { runCli } from '../helpers/run-cli.js';
import { runRepatch } from '../../src/repatch/run-repatch.js';
import { resolvePatchingChoice } from '../../src/train/trainer/patching-choice.js';

const u8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const TABLE = { 'script:Cyrillic': 0.5, 'script:Han': 4.5 };

describe('per-script thresholds', function () {
  this.timeout(300_000);

  it("documentThreshold: the table entry of the document's main script, else the global θ", () => {
    assert.equal(documentThreshold(encodeBytes(u8('Привет, мир! hello')), 2, TABLE), 0.5);
    assert.equal(documentThreshold(encodeBytes(u8('人人生而自由')), 2, TABLE), 4.5);
    assert.equal(documentThreshold(encodeBytes(u8('hello world')), 2, TABLE), 2, 'Latin has no entry');
    assert.equal(documentThreshold(encodeBytes(u8('1234 !!')), 2, TABLE), 2, 'script:none');
    assert.equal(documentThreshold(encodeBytes(u8('Привет')), 2, undefined), 2);
  });

  it("patchAndHash patches each document with the reference rule at its script's θ (monotonic and other modes ignore the table)", () => {
    const docs = [
      'Все люди рождаются свободными',
      'All human beings are born free',
      '人人生而自由，在尊严和权利上一律平等',
    ];
    for (const text of docs) {
      const tokens = encodeBytes(u8(text));
      const H = Float32Array.from(tokens, (_, i) => (i * 0.37) % 5);
      const got = patchAndHash(tokens, H, {
        patching: { mode: 'entropy', threshold: 2, monotonicity: false, scriptThresholds: TABLE },
        ngrams: null,
        entropy: null,
      });
      const theta = documentThreshold(tokens, 2, TABLE);
      assert.deepEqual(
        got.patchLengths,
        patchLengths(tokens, { mode: 'entropy', entropies: H, threshold: theta, includeNextToken: false }),
      );
      const mono = patchAndHash(tokens, H, {
        patching: { mode: 'entropy', threshold: 0.3, monotonicity: true, scriptThresholds: TABLE },
        ngrams: null,
        entropy: null,
      });
      assert.deepEqual(
        mono.patchLengths,
        patchLengths(tokens, {
          mode: 'entropy',
          entropies: H,
          threshold: 0.3,
          monotonicity: true,
          includeNextToken: false,
        }),
      );
    }
  });

  it('calibrateByScript: each script with enough text reaches the target; the spread falls to ~1', () => {
    const sample = new CalibrationSample();
    // Latin documents: entropies spread over 0..4; Cyrillic: mostly near 0 (long patches at a global θ)
    for (let d = 0; d < 40; d++) {
      const L = 500;
      sample.add(
        Float32Array.from({ length: L }, (_, i) => ((i * 7919 + d * 31) % 400) / 100),
        'script:Latin',
      );
      sample.add(
        Float32Array.from({ length: L }, (_, i) => ((i * 104729 + d) % 97 === 0 ? 3 : 0.02 * (((i * 13) % 50) / 50))),
        'script:Cyrillic',
      );
    }
    sample.add(
      Float32Array.from({ length: 50 }, (_, i) => i % 3),
      'script:Greek',
    ); // too little text: global θ
    const r = calibrateByScript(sample, { target: 4.5, minBytes: 4096 });
    assert.deepEqual(r.scripts.map((s) => s.script).sort(), ['script:Cyrillic', 'script:Latin']);
    assert.deepEqual(
      r.skipped.map((s) => s.script),
      ['script:Greek'],
    );
    for (const s of r.scripts)
      assert.ok(Math.abs(s.meanPatchLength - 4.5) / 4.5 < 0.05, `${s.script}: ${s.meanPatchLength}`);
    assert.deepEqual(Object.keys(r.scriptThresholds), ['script:Cyrillic', 'script:Latin']);
    assert.ok(r.spread.global > 3, `global spread ${r.spread.global}`);
    assert.ok(r.spread.perScript < 1.1, `per-script spread ${r.spread.perScript}`);
  });

  it("the model's stored table is the default of preprocess, recorded in the manifest and fingerprint; --threshold overrides it; blt stats reports the spread", async () => {
    const model = await tinyModelDir();
    const fp = await modelFingerprint(model);
    assert.equal((await resolveThreshold(undefined, model)).source, 'reference');
    await writeModelPatching(model, {
      threshold: 1.5,
      scriptThresholds: { 'script:Cyrillic': 0.25 },
      target_mean_patch_length: 4.5,
    });
    assert.equal(await modelFingerprint(model), fp, 'the calibration is not part of the model fingerprint');
    assert.equal(
      (JSON.parse(await readFile(join(model, 'config.json'), 'utf8')) as { dim: number }).dim,
      32,
      'other config keys kept',
    );
    assert.deepEqual(await resolveThreshold(undefined, model), {
      threshold: 1.5,
      source: 'model',
      scriptThresholds: { 'script:Cyrillic': 0.25 },
    });
    assert.deepEqual(await resolveThreshold(2, model), { threshold: 2, source: 'option' });

    const root = await tempDir('script-thr');
    const corpus = join(root, 'c.jsonl');
    const texts = [
      'Все люди рождаются свободными и равными в своем достоинстве и правах.',
      'All human beings are born free and equal in dignity and rights.',
      'Alle Menschen sind frei und gleich an Würde und Rechten geboren.',
    ];
    await writeFile(corpus, texts.map((text, i) => JSON.stringify({ id: `d${i}`, text })).join('\n'));
    const out = join(root, 'shards');
    await runPreprocess(
      resolvePreprocessConfig({ inputs: [corpus], out, entropyModel: model, storeEntropies: true, workers: 0 }),
    );
    const m = await readManifest(out);
    const patchingOf = (x: { config: Record<string, unknown> }): Record<string, unknown> =>
      (x.config.process as { patching: Record<string, unknown> }).patching;
    assert.deepEqual(patchingOf(m), {
      mode: 'entropy',
      threshold: 1.5,
      scriptThresholds: { 'script:Cyrillic': 0.25 },
      monotonicity: false,
    });
    for await (const row of readShardSet(out)) {
      const tokens = encodeBytes(row.bytes);
      const theta = row.docId === 'd0' ? 0.25 : 1.5;
      assert.deepEqual(
        row.patchLengths,
        patchLengths(tokens, { mode: 'entropy', entropies: row.entropies as Float32Array, threshold: theta }),
        row.docId,
      );
    }
    const plain = join(root, 'plain');
    await runPreprocess(
      resolvePreprocessConfig({
        inputs: [corpus],
        out: plain,
        entropyModel: model,
        threshold: 1.5,
        storeEntropies: true,
        workers: 0,
      }),
    );
    const m2 = await readManifest(plain);
    assert.equal(patchingOf(m2).scriptThresholds, undefined);
    assert.notEqual(m2.fingerprints.patches, m.fingerprints.patches);
    assert.equal(m2.fingerprints.entropy, m.fingerprints.entropy);

    // blt calibrate --per-script on the stored entropies, stored with a model (an n-gram sidecar here)
    const sidecar = `ngram:${join(root, 'm.ngram')}`;
    const cal = runCli([
      'calibrate',
      out,
      '--per-script',
      '--min-script-bytes',
      '1',
      '--target-patch-size',
      '3',
      '--json',
      '--write-model',
      sidecar,
    ]);
    assert.equal(cal.status, 0, cal.stderr);
    const j = JSON.parse(cal.stdout) as {
      threshold: number;
      scriptThresholds: Record<string, number>;
      scripts: Array<{ script: string; meanPatchLength: number }>;
      spread: { global: number; perScript: number };
    };
    assert.deepEqual(Object.keys(j.scriptThresholds), ['script:Cyrillic', 'script:Latin']);
    assert.ok(j.spread.perScript <= j.spread.global);
    const stored = await readModelPatching(sidecar);
    assert.equal(stored?.threshold, j.threshold);
    assert.deepEqual(stored?.scriptThresholds, j.scriptThresholds);
    const mono = runCli(['calibrate', out, '--per-script', '--monotonicity']);
    assert.notEqual(mono.status, 0);
    assert.match(mono.stderr, /--per-script with the global rule/);

    // an explicit table through blt repatch's function (what the trainer's patching choice uses) gives the same patches
    const again = join(root, 'again');
    await runRepatch({ source: plain, out: again, threshold: 1.5, scriptThresholds: { 'script:Cyrillic': 0.25 } });
    assert.deepEqual(patchingOf(await readManifest(again)), patchingOf(m));
    const rowsOf = async (d: string): Promise<Int32Array[]> => {
      const a: Int32Array[] = [];
      for await (const row of readShardSet(d, { columns: ['patch_lengths'] })) a.push(row.patchLengths as Int32Array);
      return a;
    };
    assert.deepEqual(await rowsOf(again), await rowsOf(out));
    await assert.rejects(
      runRepatch({ source: plain, out: join(root, 'x'), scriptThresholds: { 'script:Cyrillic': 0.25 } }),
      /explicit --threshold/,
    );
    assert.deepEqual(
      resolvePatchingChoice({ mode: 'entropy', threshold: 1, scriptThresholds: { 'script:Han': 2 } }).scriptThresholds,
      { 'script:Han': 2 },
    );
    assert.throws(
      () => resolvePatchingChoice({ mode: 'space', scriptThresholds: { 'script:Han': 2 } }),
      /scriptThresholds/,
    );

    const stats = await computeShardStats(out, { ngrams: false });
    assert.deepEqual(stats.patching.scriptThresholds, { 'script:Cyrillic': 0.25 }, 'blt stats shows the stored table');
    assert.equal(stats.languageSpread.languages, 0, 'groups under 4 KiB are not counted');
    const spread = languageSpread(stats.byLanguage, 1);
    const bpp = stats.byLanguage.map((g) => g.bytesPerPatch);
    assert.equal(spread.languages, 2);
    assert.ok(Math.abs(spread.ratio - Math.max(...bpp) / Math.min(...bpp)) < 1e-12);
  });

  it('an n-gram model keeps its calibration in <file>.patching.json', async () => {
    const dir = await tempDir('ngram-cal');
    const spec = `ngram:${join(dir, 'm.ngram')}`;
    assert.equal(await readModelPatching(spec), null);
    assert.equal((await resolveThreshold(undefined, spec)).threshold, DEFAULT_THRESHOLD);
    await writeModelPatching(spec, { threshold: 2.5, scriptThresholds: { 'script:Han': 3 } });
    assert.deepEqual(await resolveThreshold(undefined, spec), {
      threshold: 2.5,
      source: 'model',
      scriptThresholds: { 'script:Han': 3 },
    });
    await writeFile(
      join(dir, 'm.ngram.patching.json'),
      JSON.stringify({ threshold: 2.5, scriptThresholds: { Han: 'x' } }),
    );
    await assert.rejects(resolveThreshold(undefined, spec), /scriptThresholds/);
  });
});
