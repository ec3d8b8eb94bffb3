/** The shipped entropy models: the n-gram default, short names, n-gram model directories. */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  defaultEntropyModelDir,
  isNgramModelDir,
  resolveShippedModelName,
  shippedEntropyModelDir,
  DEFAULT_ENTROPY_MODEL_NAME,
} from '../../../src/entropy/default-model.js';
import { parseModelSpec } from '../../../src/entropy/eval/model-scorer.js';
import { resolveThreshold } from '../../../src/entropy/model-threshold.js';
import { entropyModelFingerprint, openEntropyScorer } from '../../../src/entropy/open-scorer.js';
import { encodeBytes } from '../../../src/bytes/tokenizer.js';
import { sha256Hex } from '../../../src/core/hash.js';
import { adaptiveFingerprint, parseAdaptiveConfig } from '../../../src/entropy/ngram/adaptive-config.js';

describe('shipped entropy models', () => {
  const ngramDir = shippedEntropyModelDir('ngram');
  const config = JSON.parse(readFileSync(join(ngramDir, 'config.json'), 'utf8')) as {
    format: string;
    fingerprint: string;
    adaptive: unknown;
    training: { patching: { threshold: number; scriptThresholds: Record<string, number> } };
  };

  // the file's sha256 (config.fingerprint) with the adaptive experts the config turns on (docs/ngram-model.md)
  const scoringFingerprint = adaptiveFingerprint(
    config.fingerprint,
    parseAdaptiveConfig(config.adaptive, 'models/entropy-ngram/config.json'),
  );

  it('the default is the n-gram model directory, with its calibrated threshold', async () => {
    assert.equal(DEFAULT_ENTROPY_MODEL_NAME, 'ngram');
    assert.equal(defaultEntropyModelDir(), ngramDir);
    assert.equal(config.format, 'blt-entropy-ngram');
    assert.ok(isNgramModelDir(ngramDir));
    const s = await openEntropyScorer(undefined);
    assert.equal(s.engine, 'ngram');
    assert.equal(sha256Hex(readFileSync(join(ngramDir, 'model.ngram'))), config.fingerprint);
    assert.equal(s.fingerprint, scoringFingerprint);
    assert.deepEqual(await entropyModelFingerprint(undefined), { spec: ngramDir, fingerprint: scoringFingerprint });
    const text = 'Привет, мир! Hello, world!';
    const [h] = await s.score([encodeBytes(text)]);
    assert.equal(h?.length, new TextEncoder().encode(text).length + 2);
    assert.ok([...(h ?? [])].every((x) => x >= 0 && x <= Math.log(260)));
    await s.close();
    assert.deepEqual(await resolveThreshold(undefined, defaultEntropyModelDir()), {
      threshold: config.training.patching.threshold,
      source: 'model',
      scriptThresholds: config.training.patching.scriptThresholds,
    });
    assert.deepEqual(await resolveThreshold(undefined, 'ngram'), {
      threshold: config.training.patching.threshold,
      source: 'model',
      scriptThresholds: config.training.patching.scriptThresholds,
    });
    assert.deepEqual(
      Object.keys(config.training.patching.scriptThresholds),
      ['script:Cyrillic', 'script:Han', 'script:Kana', 'script:Latin'],
      'the per-script table of docs/stats.md ships with the default',
    );
  });

  it('short names name either shipped model; other specs are unchanged', async () => {
    assert.equal(resolveShippedModelName('ngram'), ngramDir);
    assert.equal(resolveShippedModelName('transformer'), shippedEntropyModelDir('transformer'));
    assert.equal(resolveShippedModelName('some/dir'), 'some/dir');
    assert.equal(resolveShippedModelName(undefined), undefined);
    assert.deepEqual(parseModelSpec('ngram'), { kind: 'ngram', path: join(ngramDir, 'model.ngram') });
    assert.deepEqual(parseModelSpec(ngramDir), { kind: 'ngram', path: join(ngramDir, 'model.ngram') });
    assert.deepEqual(parseModelSpec('transformer'), {
      kind: 'transformer',
      path: shippedEntropyModelDir('transformer'),
    });
    const t = await openEntropyScorer('transformer');
    assert.notEqual(t.engine, 'ngram');
    await t.close();
    const byDir = await openEntropyScorer(ngramDir);
    assert.equal(byDir.engine, 'ngram');
    assert.equal(byDir.fingerprint, scoringFingerprint);
    await byDir.close();
  });
});
