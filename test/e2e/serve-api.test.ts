import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { createServer, type BltServer } from '../../src/serve/server.js';
import { openEntropyScorer, type EntropyScorer } from '../../src/entropy/open-scorer.js';
import { resolveThreshold } from '../../src/entropy/model-threshold.js';
import { encodeBytes } from '../../src/bytes/tokenizer.js';
import { patchLengths } from '../../src/patching/patch-lengths.js';
import { hashNgramIds } from '../../src/patching/ngram-hash.js';
import type { PatchOptions } from '../../src/patching/patch-options.js';
import { PATCH_FIELDS } from '../../src/serve/patch-request.js';
import { JOB_FIELDS } from '../../src/serve/job-request.js';
import { tempDir, tinyModelDir } from '../helpers/preprocess-fixtures.js';

interface Doc {
  id?: string;
  bytes: number;
  tokens: number[];
  entropies?: number[];
  patchLengths: number[];
  ngramIds?: Record<string, number[]>;
  segments?: string[];
}
interface ErrorBody {
  statusCode: number;
  error: { code: string; message: string; hint?: string };
}

async function post(
  url: string,
  body: unknown,
  headers: Record<string, string> = { 'content-type': 'application/json' },
): Promise<{ status: number; json: unknown; text: string; type: string }> {
  const r = await fetch(url, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await r.text();
  const type = r.headers.get('content-type') ?? '';
  return { status: r.status, text, type, json: type.includes('json') ? JSON.parse(text) : null };
}

const TEXTS = [
  'Hello, world! The Universal Declaration of Human Rights.',
  'Все люди рождаются свободными.',
  '人人生而自由',
  'ab',
];

describe('blt serve: /v1/patch, /v1/figure, health, metrics, errors', function () {
  this.timeout(300_000);
  let model: string;
  let server: BltServer;
  let url: string;
  let scorer: EntropyScorer;
  let theta: number;

  before(async () => {
    model = await tinyModelDir();
    server = await createServer({
      cacheDir: await tempDir('serve-api'),
      entropyModel: model,
      bodyLimit: 8192,
      maxDocuments: 8,
      workers: 1,
    });
    url = await server.listen(0);
    scorer = await openEntropyScorer(model);
    theta = (await resolveThreshold(undefined, model)).threshold;
  });
  after(async () => {
    await server?.close();
    await scorer?.close();
  });

  /** What the library computes for these texts with these options. */
  async function library(
    texts: Array<string | Uint8Array>,
    o: Omit<PatchOptions, 'entropies'>,
    ngram?: { sizes: number[]; functions: number; vocab: number },
  ): Promise<Doc[]> {
    const tokens = texts.map((t) => encodeBytes(t));
    const needScores = o.mode === 'entropy';
    const entropies = needScores ? await scorer.score(tokens) : null;
    return tokens.map((t, i) => {
      const e = entropies?.[i];
      const lengths = patchLengths(t, e ? { ...o, entropies: e } : o);
      const doc: Doc = { bytes: t.length - 2, tokens: Array.from(t), patchLengths: Array.from(lengths) };
      if (e) doc.entropies = Array.from(e);
      if (ngram) {
        doc.ngramIds = {};
        for (let f = 0; f < ngram.functions; f++)
          for (const g of ngram.sizes)
            doc.ngramIds[`ngram_ids_${g}_${f}`] = Array.from(hashNgramIds(t, g, f, ngram.vocab));
      }
      return doc;
    });
  }

  it('one text: tokens, entropies, patch lengths and n-gram ids equal the library functions', async () => {
    const ngram = { sizes: [3, 4, 5], functions: 2, vocab: 500002 };
    for (const text of TEXTS) {
      const r = await post(`${url}/v1/patch`, { text, ngram });
      assert.equal(r.status, 200, r.text);
      const { options, ...doc } = r.json as Doc & { options: { threshold: number; mode: string } };
      const [want] = await library([text], { mode: 'entropy', threshold: theta }, ngram);
      assert.deepEqual(doc, want);
      assert.equal(options.threshold, theta);
      assert.deepEqual(Float32Array.from(doc.entropies ?? []), Float32Array.from(want?.entropies ?? [1])); // float32 survives JSON exactly
    }
  });

  it('base64 bytes (invalid UTF-8 kept byte for byte) and batches equal the library, for every patching rule', async () => {
    const raw = Uint8Array.from([0x61, 0xff, 0xc3, 0x20, 0xe4, 0xbd, 0xa0, 0x62]);
    const b64 = Buffer.from(raw).toString('base64');
    const single = await post(`${url}/v1/patch`, { bytes: b64, mode: 'entropy', threshold: 2.5 });
    assert.equal(single.status, 200, single.text);
    const { options: _o, ...doc } = single.json as Doc & { options: unknown };
    assert.deepEqual(doc, (await library([raw], { mode: 'entropy', threshold: 2.5 }))[0]);

    const rules: Array<Omit<PatchOptions, 'entropies'>> = [
      { mode: 'entropy', threshold: 3, monotonicity: false },
      { mode: 'entropy', threshold: 0.3, monotonicity: true },
      { mode: 'entropy', threshold: 2, thresholdAdd: 0.1 },
      { mode: 'entropy', threshold: 2, maxPatchLength: 3, includeNextToken: true },
      { mode: 'space' },
      { mode: 'static', patchSize: 3 },
      { mode: 'byte' },
    ];
    for (const rule of rules) {
      const r = await post(`${url}/v1/patch`, { documents: [...TEXTS, { id: 'raw', bytes: b64 }], ...rule });
      assert.equal(r.status, 200, r.text);
      const got = (r.json as { documents: Doc[] }).documents;
      const want = await library([...TEXTS, raw], rule);
      (want[4] as Doc).id = 'raw';
      assert.deepEqual(got, want, JSON.stringify(rule));
    }
  });

  it('segments show each patch as text; /v1/figure is the inspect SVG figure', async () => {
    const r = await post(`${url}/v1/patch`, { text: 'ab cd', mode: 'space', segments: true });
    assert.deepEqual((r.json as Doc).segments, ['<s>', 'ab ', 'cd</s>']);
    const f = await post(`${url}/v1/figure`, { text: 'Hello, world', maxBytes: 5 });
    assert.equal(f.status, 200, f.text);
    assert.match(f.type, /^image\/svg\+xml/);
    assert.match(f.text, /<svg\b/);
    assert.match(f.text, /class="entropy"/);
    assert.match(f.text, /class="threshold"/);
    assert.match(f.text, /first 5 of 12 bytes/);
  });

  it('bad requests are 4xx with a message that says what was wrong', async () => {
    const cases: Array<[unknown, number, RegExp, Record<string, string>?]> = [
      ['{"text": "a",', 400, /not valid JSON/],
      ['', 400, /empty/],
      [[1, 2], 400, /Expected the request body to be a JSON object, got an array/],
      [{ text: 'a', colour: 'red' }, 400, /Unknown field `colour`/],
      [{ text: 5 }, 400, /`text`.*string, got 5 \(number\)/],
      [{ text: 'a', bytes: 'YQ==' }, 400, /one of `text`, `bytes` or `documents`, got `text` and `bytes`/],
      [{}, 400, /got none of them/],
      [{ bytes: 'not base64!' }, 400, /`bytes`.*base64/],
      [{ text: 'a', threshold: '1.5' }, 400, /`threshold` to be a finite number, got "1.5" \(string\)/],
      [{ text: 'a', mode: 'words' }, 400, /`mode` to be one of "entropy", "static", "byte", "space"/],
      [{ text: 'a', mode: 'static', patchSize: 4.5 }, 400, /patchSize.*integer/],
      [{ text: 'a', maxPatchLength: 0 }, 400, /`maxPatchLength` to be an integer in \[1,/],
      [{ text: 'a', ngram: { sizes: [3], size: 4 } }, 400, /Unknown field `size` in `ngram`/],
      [{ documents: [] }, 400, /at least one document/],
      [{ documents: new Array(9).fill('x') }, 400, /at most 8 documents/],
      [{ documents: ['a', { txt: 'b' }] }, 400, /Unknown field `txt` in documents\[1\]/],
      [{ text: 'x'.repeat(10_000) }, 413, /larger than this server's limit of 8192 bytes/],
      ['text=a', 415, /Unsupported Media Type|content-type/i, { 'content-type': 'application/x-www-form-urlencoded' }],
    ];
    for (const [body, status, message, headers] of cases) {
      const r = await post(`${url}/v1/patch`, body, headers);
      assert.equal(r.status, status, `${JSON.stringify(body).slice(0, 80)} → ${r.text}`);
      const e = r.json as ErrorBody;
      assert.match(`${e.error.message} ${e.error.hint ?? ''}`, message, r.text);
    }
    const nf = await fetch(`${url}/v1/nothing`);
    assert.equal(nf.status, 404);
    assert.match(((await nf.json()) as ErrorBody).error.message, /No route GET \/v1\/nothing/);
  });

  it('docs/openapi.json describes every route and exactly the accepted fields', async () => {
    const r = await fetch(`${url}/openapi.json`);
    assert.equal(r.status, 200);
    const spec = (await r.json()) as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
      components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
    };
    assert.match(spec.openapi, /^3\./);
    for (const [path, ops] of Object.entries(spec.paths)) {
      for (const method of Object.keys(ops).filter((m) => ['get', 'post', 'delete'].includes(m))) {
        assert.ok(
          server.app.hasRoute({ method: method.toUpperCase() as 'GET', url: path.replace(/\{(\w+)\}/g, ':$1') }),
          `${method} ${path} is a route`,
        );
      }
    }
    assert.deepEqual(
      Object.keys(spec.components.schemas.PatchRequest?.properties ?? {}).sort(),
      [...PATCH_FIELDS].sort(),
    );
    assert.deepEqual(Object.keys(spec.components.schemas.JobRequest?.properties ?? {}).sort(), [...JOB_FIELDS].sort());
  });

  it('/healthz says what is loaded; /metrics is Prometheus text with jobs, bytes and a latency histogram', async () => {
    const h = (await (await fetch(`${url}/healthz`)).json()) as {
      status: string;
      model: { fingerprint: string; engine: string };
    };
    assert.equal(h.status, 'ok');
    assert.equal(h.model.fingerprint, scorer.fingerprint);
    const m = await fetch(`${url}/metrics`);
    assert.match(m.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const text = await m.text();
    for (const line of [
      /^# TYPE blt_serve_jobs gauge$/m,
      /^blt_serve_jobs\{state="queued"\} 0$/m,
      /^# TYPE blt_serve_job_bytes_processed_total counter$/m,
      /^# TYPE blt_serve_http_request_duration_seconds histogram$/m,
      /^blt_serve_http_request_duration_seconds_bucket\{route="\/v1\/patch",le="\+Inf"\} \d+$/m,
      /^blt_serve_http_request_duration_seconds_count\{route="\/v1\/patch"\} \d+$/m,
      /^blt_serve_http_requests_total\{method="POST",route="\/v1\/patch",status="413"\} 1$/m,
      /^blt_serve_scored_documents_total \d+$/m,
    ])
      assert.match(text, line);
    // every sample line is `name{labels} value`
    for (const l of text.split('\n').filter((x) => x && !x.startsWith('#')))
      assert.match(l, /^[a-z_]+(\{[^}]*\})? [0-9.e+-]+$/i, l);
  });
});

describe('blt serve: a client that disconnects leaves no model work behind', function () {
  this.timeout(120_000);
  it('a queued /v1/patch whose client is gone is never scored', async () => {
    let release: () => void = () => undefined;
    const calls: number[] = [];
    const blocked = new Promise<void>((res) => (release = res));
    const fake: EntropyScorer = {
      engine: 'fake',
      detail: 'test scorer',
      fingerprint: 'f',
      score: async (docs) => {
        calls.push(docs.length);
        await blocked;
        return docs.map((d) => new Float32Array(d.length).fill(1));
      },
      close: async () => undefined,
    };
    const server = await createServer({ cacheDir: await tempDir('serve-abort'), scorer: fake, workers: 1 });
    const url = await server.listen(0);
    try {
      const first = post(`${url}/v1/patch`, { text: 'first' });
      while (calls.length === 0) await new Promise((r) => setTimeout(r, 10));
      // the second request waits behind the first; then its client goes away
      const body = JSON.stringify({ text: 'second' });
      const req = httpRequest(`${url}/v1/patch`, {
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      });
      req.on('error', () => undefined);
      req.end(body);
      while (server.context.queue.stats.pending < 2) await new Promise((r) => setTimeout(r, 10));
      req.destroy();
      const connections = (): Promise<number> =>
        new Promise((res, rej) => server.app.server.getConnections((e, n) => (e ? rej(e) : res(n))));
      while ((await connections()) > 1) await new Promise((r) => setTimeout(r, 10));
      release();
      assert.equal((await first).status, 200);
      while (server.context.queue.stats.pending > 0) await new Promise((r) => setTimeout(r, 10));
      assert.deepEqual(calls, [1], 'only the first request reached the model');
      assert.equal(server.context.queue.stats.aborted, 1);
      const metrics = await (await fetch(`${url}/metrics`)).text();
      assert.match(metrics, /^blt_serve_scoring_aborted_total 1$/m);
    } finally {
      release();
      await server.close();
    }
  });
});
