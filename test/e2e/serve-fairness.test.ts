import assert from 'node:assert/strict';
import { openEntropyScorer, type EntropyScorer } from '../../src/entropy/open-scorer.js';
import { ngramEntropies, saveNgramModel, trainNgramModel } from '../../src/entropy/ngram/index.js';
import { encodeBytes } from '../../src/bytes/tokenizer.js';
import { planUnits, ScoreQueue } from '../../src/serve/score-queue.js';
import { createServer } from '../../src/serve/server.js';
import { tempDir, tinyModelDir } from '../helpers/preprocess-fixtures.js';

/** A deterministic text of `n` bytes (mixed scripts so entropies vary). */
function textOf(n: number, seed = 1): Uint8Array {
  const words = ['the ', 'rights ', 'équité ', 'свобода ', '自由 ', 'x', '\n', 'of all ', 'peoples, '];
  const parts: string[] = [];
  let bytes = 0;
  let r = seed;
  while (bytes < n) {
    r = (r * 1103515245 + 12345) >>> 0;
    const w = words[r % words.length] as string;
    parts.push(w);
    bytes += Buffer.byteLength(w);
  }
  return new TextEncoder().encode(parts.join('')).subarray(0, n);
}

/** issue 13 item 11: one large /v1/patch no longer holds the scorer until it is done. */
describe('blt serve: fair scoring queue', function () {
  this.timeout(300_000);

  it('planUnits: pieces start at multiples of the stride, carry one stride of context and cover each document once', () => {
    const lengths = [5, 1000, 7, 3, 130, 2];
    const units = planUnits(lengths, 100, 16);
    const covered = lengths.map((n) => new Uint8Array(n));
    for (const u of units) {
      if (u.kind === 'docs') for (let k = 0; k < u.count; k++) (covered[u.first + k] as Uint8Array).fill(1);
      else {
        assert.equal(u.from % 16, 0);
        assert.ok(u.keepFrom === 0 ? u.from === 0 : u.keepFrom === 16);
        assert.ok(u.last ? u.to === lengths[u.doc] : u.to % 16 === 0);
        for (let i = u.from + u.keepFrom; i < u.to; i++)
          (covered[u.doc] as Uint8Array)[i] = ((covered[u.doc] as Uint8Array)[i] as number) + 1;
      }
    }
    for (const c of covered) assert.ok(c.every((v) => v === 1));
    assert.ok(units.filter((u) => u.kind === 'piece').length >= 10, 'the 1000-token document is cut');
    const independent = planUnits([1000], 100, 96, 0);
    assert.ok(
      independent.every((u) => u.kind === 'piece' && u.keepFrom === 0 && u.from % 96 === 0),
      'independent pieces carry no context',
    );
    assert.equal(
      independent.reduce((a, u) => a + (u.kind === 'piece' ? u.to - u.from : 0), 0),
      1000,
      'and score each token once',
    );
    assert.deepEqual(
      planUnits(lengths, 100, undefined).map((u) => (u.kind === 'docs' ? u.count : -1)),
      [1, 1, 2, 1, 1],
      'no stride: runs of whole documents only',
    );
  });

  it('a document scored in pieces gets exactly the entropies of scoring it whole (transformer and n-gram)', async () => {
    const model = await openEntropyScorer(await tinyModelDir());
    // 20,000 bytes: more than two of the transformer's 8192-token chunks (its contextStride), so it is cut into pieces
    const docs = [
      encodeBytes(textOf(3000)),
      encodeBytes(textOf(40, 2)),
      encodeBytes(textOf(517, 3)),
      encodeBytes(textOf(20_000, 4)),
    ];
    try {
      assert.equal(typeof model.contextStride, 'number');
      const whole = await model.score(docs);
      for (const chunk of [64, 100, 1000]) {
        const q = new ScoreQueue(model, chunk);
        assert.deepEqual(await q.score(docs), whole, `transformer, chunks of ${chunk} tokens`);
      }
    } finally {
      await model.close();
    }
    for (const order of [3, 6]) {
      const ng = trainNgramModel([encodeBytes(textOf(20_000, 7))], { order });
      const file = `${await tempDir('fair-ngram')}/m.ngram`;
      saveNgramModel(file, ng);
      const scorer = await openEntropyScorer(`ngram:${file}`);
      assert.equal(scorer.contextStride, order);
      const want = docs.map((d) => ngramEntropies(ng, d));
      assert.deepEqual(await new ScoreQueue(scorer, 50).score(docs), want, `n-gram order ${order}`);
    }
  });

  it('a small request completes before a big one submitted first (fake slow scorer, HTTP)', async () => {
    const order: string[] = [];
    let calls = 0;
    const slow: EntropyScorer = {
      engine: 'fake',
      detail: 'slow test scorer',
      fingerprint: 'f',
      contextStride: 64,
      score: async (docs) => {
        calls++;
        await new Promise((r) => setTimeout(r, 2)); // takes a while, like a real model call
        return docs.map((d) => new Float32Array(d.length).fill(2));
      },
      close: async () => undefined,
    };
    const server = await createServer({
      cacheDir: await tempDir('serve-fair'),
      scorer: slow,
      workers: 1,
      bodyLimit: 4 << 20,
    });
    const url = await server.listen(0);
    const post = async (name: string, text: string): Promise<number> => {
      const r = await fetch(`${url}/v1/patch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text }),
      });
      await r.arrayBuffer();
      order.push(name);
      return r.status;
    };
    try {
      const big = post('big', new TextDecoder().decode(textOf(900_000)));
      while (calls === 0) await new Promise((r) => setTimeout(r, 5));
      const small = await post('small', 'Hello, world');
      assert.equal(small, 200);
      assert.deepEqual(order, ['small'], 'the small request was answered while the big one was still being scored');
      assert.equal(await big, 200);
      assert.deepEqual(order, ['small', 'big']);
      assert.ok(calls > 100, `the big document was scored in pieces (${calls} scorer calls)`);
    } finally {
      await server.close();
    }
  });
});
