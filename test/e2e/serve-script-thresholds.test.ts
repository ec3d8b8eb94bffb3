/**
 * issue 12 in `blt serve`: /v1/patch and /v1/figure apply the model's per-script threshold table
 * as `blt patch`, `blt inspect` and `blt preprocess` do (one θ per document by its main script,
 * documentThreshold); a threshold in the request still overrides it, and the relative rule
 * ignores it.
 */
import assert from 'node:assert/strict';
import { createServer, type BltServer } from '../../src/serve/server.js';
import { openEntropyScorer, type EntropyScorer } from '../../src/entropy/open-scorer.js';
import { writeModelPatching } from '../../src/entropy/model-threshold.js';
import { encodeBytes } from '../../src/bytes/tokenizer.js';
import { patchLengths } from '../../src/patching/patch-lengths.js';
import { tempDir, tinyModelDir } from '../helpers/preprocess-fixtures.js';

const GLOBAL = 2;
// the tiny model's entropies are near ln 260 ≈ 5.56: θ 2 starts a patch at every byte, θ 10 at none
const TABLE = { 'script:Cyrillic': 0.5, 'script:Han': 10 };
const LATIN = 'Hello, world and all its people.';
const HAN = '人人生而自由，在尊严和权利上一律平等。';

interface Answer {
  patchLengths?: number[];
  documents?: Array<{ patchLengths: number[] }>;
  options: { threshold?: number; scriptThresholds?: Record<string, number> };
}

describe("blt serve: the model's per-script thresholds", function () {
  this.timeout(300_000);
  let server: BltServer;
  let url: string;
  let scorer: EntropyScorer;

  before(async () => {
    const model = await tinyModelDir();
    await writeModelPatching(model, { threshold: GLOBAL, scriptThresholds: TABLE });
    server = await createServer({ cacheDir: await tempDir('serve-script'), entropyModel: model, workers: 1 });
    url = await server.listen(0);
    scorer = await openEntropyScorer(model);
  });
  after(async () => {
    await server?.close();
    await scorer?.close();
  });

  async function post(path: string, body: unknown): Promise<{ status: number; text: string }> {
    const r = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: r.status, text: await r.text() };
  }
  const patch = async (body: unknown): Promise<Answer> => {
    const r = await post('/v1/patch', body);
    assert.equal(r.status, 200, r.text);
    return JSON.parse(r.text) as Answer;
  };
  async function library(text: string, threshold: number, monotonicity = false): Promise<number[]> {
    const tokens = encodeBytes(new TextEncoder().encode(text));
    const [entropies] = await scorer.score([tokens]);
    return Array.from(patchLengths(tokens, { mode: 'entropy', entropies, threshold, monotonicity }));
  }

  it("patches each document at its script's θ when the request gives none", async () => {
    const han = await library(HAN, TABLE['script:Han']);
    assert.notDeepEqual(han, await library(HAN, GLOBAL), 'the table changes the Han patches');
    const one = await patch({ text: HAN });
    assert.deepEqual(one.patchLengths, han);
    assert.equal(one.options.threshold, GLOBAL);
    assert.deepEqual(one.options.scriptThresholds, TABLE);
    const batch = await patch({ documents: [LATIN, HAN] });
    assert.deepEqual(
      batch.documents?.map((d) => d.patchLengths),
      [await library(LATIN, GLOBAL), han],
      'Latin has no entry: the global θ',
    );
  });

  it('an explicit threshold overrides the table; the relative rule ignores it', async () => {
    const given = await patch({ text: HAN, threshold: GLOBAL });
    assert.deepEqual(given.patchLengths, await library(HAN, GLOBAL));
    assert.equal(given.options.scriptThresholds, undefined);
    const mono = await patch({ text: HAN, monotonicity: true, threshold: 0.5 });
    assert.deepEqual(mono.patchLengths, await library(HAN, 0.5, true));
    assert.equal(mono.options.scriptThresholds, undefined);
  });

  it("/v1/figure draws the document's θ", async () => {
    const r = await post('/v1/figure', { text: HAN });
    assert.equal(r.status, 200, r.text);
    assert.match(r.text, /θ = 10;/);
    const given = await post('/v1/figure', { text: HAN, threshold: 3 });
    assert.match(given.text, /θ = 3;/);
  });
});
