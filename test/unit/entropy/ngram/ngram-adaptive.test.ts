/**
 * The in-document adaptive experts (src/entropy/ngram/adaptive-mixture.ts) against a straightforward
 * implementation (dense 260-way distributions, plain arrays), plus the properties the scorer relies on:
 * probabilities sum to 1, causality, any chunking of a document, old model files unchanged, and the
 * robustness claim on synthetic base64 / hex.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as fc from 'fast-check';
import { encodeBytes } from '../../../../src/bytes/tokenizer.js';
import { AdaptiveNgramStream, adaptiveScorer } from '../../../../src/entropy/ngram/adaptive-mixture.js';
import {
  adaptiveFingerprint,
  DEFAULT_ADAPTIVE,
  parseAdaptiveConfig,
  type AdaptiveConfig,
} from '../../../../src/entropy/ngram/adaptive-config.js';
import { loadNgramScoring } from '../../../../src/entropy/ngram/open-model.js';
import {
  encodeNgramModel,
  ngramEntropies,
  ngramLogProbs,
  ngramModelFromBytes,
  ngramNextDistribution,
  saveNgramModel,
  trainNgramModel,
  type NgramModel,
} from '../../../../src/entropy/ngram/index.js';

const BOS = 1;
const EOS = 2;
const V = 260;
const prose = [
  'the quick brown fox jumps over the lazy dog and the dog sleeps',
  'a man a plan a canal panama, the cat sat on the mat',
  'der schnelle braune fuchs springt über den faulen hund',
  'le renard brun rapide saute par-dessus le chien paresseux',
].map((l) => encodeBytes(l));
const model = trainNgramModel(prose, { order: 3, floorWeight: 0.03 });
const loaded = ngramModelFromBytes(encodeNgramModel(model));
const cfg: AdaptiveConfig = { ...DEFAULT_ADAPTIVE, share: 0.01, alpha: 0.1, margin: 4 };
const docArb = fc
  .array(fc.oneof(fc.integer({ min: 4, max: 20 }), fc.constantFrom(36, 101, 105, 120, EOS, 259)), { maxLength: 90 })
  .map((body) => Int32Array.from([BOS, ...body]));

/** Straightforward: dense distributions at every position, weights by the definition, leader by weight. */
function reference(m: NgramModel, c: AdaptiveConfig, tokens: Int32Array): { ent: number[]; lp: number[] } {
  const n0 = new Array<number>(V).fill(0);
  const n1 = new Map<number, number[]>();
  let w = [1 - (2 * c.share) / 3, c.share / 3, c.share / 3];
  const ent: number[] = [];
  const lp: number[] = [];
  let dist: number[] = [];
  const denseCounts = (counts: number[]): number[] => {
    const t = counts.reduce((a, b) => a + b, 0) + V * c.alpha;
    return counts.map((k) => (k + c.alpha) / t);
  };
  for (let i = 0; i < tokens.length; i++) {
    const x = tokens[i] as number;
    if (i > 0) {
      const y = tokens[i - 1] as number;
      const ps = Array.from(ngramNextDistribution(m, tokens.subarray(0, i)));
      const q0 = denseCounts(n0);
      const q1 = denseCounts(n1.get(y) ?? new Array<number>(V).fill(0));
      const e = [ps[x] as number, q0[x] as number, q1[x] as number];
      lp.push(Math.log(dist[x] as number));
      const z = w.reduce((a, wk, k) => a + wk * (e[k] as number), 0);
      w = w.map((wk, k) => ((wk * (e[k] as number)) / z) * (1 - c.share) + c.share / 3);
      n0[x] = (n0[x] as number) + 1;
      const row = n1.get(y) ?? new Array<number>(V).fill(0);
      row[x] = (row[x] as number) + 1;
      n1.set(y, row);
    }
    const [wS, w0, w1] = w as [number, number, number];
    const who = wS * c.margin >= Math.max(w0, w1) ? 0 : w0 >= w1 ? 1 : 2;
    dist =
      who === 0
        ? Array.from(ngramNextDistribution(m, tokens.subarray(0, i + 1)))
        : denseCounts(who === 1 ? n0 : (n1.get(x) ?? new Array<number>(V).fill(0)));
    ent.push(dist.reduce((h, q) => (q > 0 ? h - q * Math.log(q) : h), 0));
  }
  return { ent, lp };
}

function fast(m: NgramModel, c: AdaptiveConfig, tokens: Int32Array): { ent: Float32Array; lp: Float64Array } {
  const ent = new Float32Array(tokens.length);
  const lp = new Float64Array(tokens.length);
  new AdaptiveNgramStream(m, c).push(tokens, ent, lp);
  return { ent, lp };
}

describe('n-gram adaptive experts (doc-switch-v1)', () => {
  it('equals the straightforward implementation (entropies and log-probabilities)', () => {
    fc.assert(
      fc.property(docArb, fc.boolean(), (tokens, fromFile) => {
        const m = fromFile ? loaded : model;
        const want = reference(m, cfg, tokens);
        const got = fast(m, cfg, tokens);
        for (let i = 0; i < tokens.length; i++) {
          const tol = 2e-5 * Math.max(1, want.ent[i] as number); // static entropies are stored as float32
          assert.ok(Math.abs((got.ent[i] as number) - (want.ent[i] as number)) <= tol, `H[${i}]`);
          if (i > 0) assert.ok(Math.abs((got.lp[i] as number) - (want.lp[i - 1] as number)) <= 1e-9, `lp[${i}]`);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('predicts a distribution that sums to 1 after any prefix', () => {
    fc.assert(
      fc.property(docArb, (prefix) => {
        let total = 0;
        for (let x = 0; x < V; x++) {
          const t = Int32Array.from([...prefix, x]);
          total += Math.exp(fast(model, cfg, t).lp[t.length - 1] as number);
        }
        assert.ok(Math.abs(total - 1) < 1e-9, `sum ${total}`);
      }),
      { numRuns: 15 },
    );
  });

  it('is causal: changing later tokens leaves earlier entropies unchanged', () => {
    fc.assert(
      fc.property(docArb, docArb, fc.nat(), (a, b, cut) => {
        const k = cut % (a.length + 1);
        const x = fast(model, cfg, a).ent;
        const y = fast(model, cfg, Int32Array.from([...a.subarray(0, k), ...b])).ent;
        assert.deepEqual(y.subarray(0, k), x.subarray(0, k));
      }),
      { numRuns: 60 },
    );
  });

  it('gives identical results for any chunking of a document and any batching of documents', () => {
    fc.assert(
      fc.property(docArb, fc.array(fc.nat({ max: 30 }), { maxLength: 6 }), docArb, (tokens, cuts, other) => {
        const whole = fast(model, cfg, tokens);
        const stream = new AdaptiveNgramStream(model, cfg);
        const ent = new Float32Array(tokens.length);
        const lp = new Float64Array(tokens.length);
        let at = 0;
        for (const c of [...cuts, tokens.length]) {
          const end = Math.min(tokens.length, at + c);
          stream.push(tokens.subarray(at, end), ent.subarray(at, end), lp.subarray(at, end));
          at = end;
        }
        assert.deepEqual(ent, whole.ent);
        assert.deepEqual(lp, whole.lp);
        // one scorer over several documents (reset between them) = each alone
        const s = adaptiveScorer(model, cfg);
        s.entropies(other);
        assert.deepEqual(s.entropies(tokens), whole.ent);
      }),
      { numRuns: 60 },
    );
  });

  it('leaves a model file without an adaptive config exactly as before, and fingerprints the settings', () => {
    const dir = mkdtempSync(join(tmpdir(), 'blt-adaptive-'));
    try {
      const file = join(dir, 'model.ngram');
      saveNgramModel(file, model);
      const doc = encodeBytes('the lazy dog: 0123456789abcdef 0123456789abcdef 0123456789abcdef');
      const plain = loadNgramScoring(file); // no config.json at all
      assert.equal(plain.adaptive, undefined);
      assert.equal(plain.fingerprint, model.fingerprint);
      assert.deepEqual(plain.entropies(doc), ngramEntropies(model, doc));
      assert.deepEqual(plain.logProbs(doc), ngramLogProbs(model, doc));
      const config = { format: 'blt-entropy-ngram', version: 1, file: 'model.ngram' };
      writeFileSync(join(dir, 'config.json'), JSON.stringify(config)); // an old config: no adaptive key
      assert.deepEqual(loadNgramScoring(file).entropies(doc), ngramEntropies(model, doc));
      writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...config, adaptive: cfg }));
      const adaptive = loadNgramScoring(file);
      assert.deepEqual(adaptive.adaptive, cfg);
      assert.equal(adaptive.fingerprint, adaptiveFingerprint(model.fingerprint, cfg));
      assert.notEqual(adaptive.fingerprint, model.fingerprint);
      assert.deepEqual(adaptive.entropies(doc), fast(model, cfg, doc).ent);
      assert.notDeepEqual(adaptive.entropies(doc), ngramEntropies(model, doc));
      writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...config, adaptive: { ...cfg, scheme: 'v9' } }));
      assert.throws(() => loadNgramScoring(file), /unknown scheme/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects malformed settings', () => {
    assert.deepEqual(parseAdaptiveConfig({ ...DEFAULT_ADAPTIVE }, 'x'), DEFAULT_ADAPTIVE);
    for (const bad of [
      null,
      [],
      { ...DEFAULT_ADAPTIVE, share: 0 },
      { ...DEFAULT_ADAPTIVE, alpha: -1 },
      { ...DEFAULT_ADAPTIVE, margin: 0.5 },
      {},
    ]) {
      assert.throws(() => parseAdaptiveConfig(bad, 'cfg.json'), /cfg\.json: expected "adaptive"/);
    }
  });

  it('scores synthetic base64 and hex near their own unigram, where the static model is far above it', () => {
    let seed = 7;
    const rand = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed >>> 8;
    };
    const b64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    const texts = {
      base64: Array.from({ length: 3000 }, () => b64[rand() % 64]).join(''),
      hex: Array.from({ length: 3000 }, () => '0123456789abcdef'[rand() % 16]).join(''),
    };
    for (const [name, text] of Object.entries(texts)) {
      const doc = encodeBytes(text);
      const bytes = doc.length - 2;
      const bpb = (lp: ArrayLike<number>): number => -Array.from(lp).reduce((a, b) => a + b, 0) / Math.LN2 / bytes;
      const counts = new Map<number, number>();
      for (const t of doc.subarray(1)) counts.set(t, (counts.get(t) ?? 0) + 1);
      let own = 0;
      for (const k of counts.values()) own -= k * Math.log2(k / (doc.length - 1));
      own /= bytes;
      const staticBpb = bpb(ngramLogProbs(model, doc));
      const adaptiveBpb = bpb(adaptiveScorer(model, DEFAULT_ADAPTIVE).logProbs(doc));
      assert.ok(staticBpb > own + 1, `${name}: static ${staticBpb} vs own unigram ${own}`);
      assert.ok(adaptiveBpb <= own + 0.25, `${name}: adaptive ${adaptiveBpb} vs own unigram ${own}`);
    }
  });
});
