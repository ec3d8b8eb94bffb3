import { BltError, describeValue } from '../../core/errors.js';
import { VOCAB_SIZE } from '../../bytes/byte-vocab.js';
import { addChild, createNodeTable, findChild, type NodeTable } from './node-table.js';

/**
 * Counts the n-grams of length 1..order+1 of each document into a trie, with Kneser–Ney
 * adjusted counts (as KenLM does):
 * - the longest n-gram ending at each position (order+1 tokens, or the whole prefix from
 *   the document start, i.e. from BOS) gets its raw count;
 * - a shorter n-gram w·x gets a continuation count: the number of distinct tokens a with
 *   a·w·x in the trie. It is incremented when a longer n-gram is added for the first time.
 * The first token of a document (BOS) is context only: it is never predicted, so not counted.
 *
 * Walks with suffix links, so a position costs one hash probe unless an n-gram is new.
 * `unigram` (Float64Array[260]), when given, receives the raw count of every predicted token.
 * Shape: docs: Int32Array[L] of token ids in [0, 260) → trie (NodeTable).
 */
export function countNgrams(docs: Iterable<Int32Array>, order: number, unigram?: Float64Array): NodeTable {
  const t = createNodeTable();
  let docIndex = 0;
  for (const doc of docs) {
    checkDoc(doc, docIndex++);
    let cur = 0; // node of the longest context (≤ order tokens)
    for (let i = 0; i < doc.length; i++) {
      const x = doc[i] as number;
      let v = findChild(t, cur, x);
      if (v < 0) {
        v = addChild(t, cur, x);
        linkNew(t, v, cur, x);
      }
      if (i > 0) {
        t.count[v] = (t.count[v] as number) + 1;
        if (unigram) unigram[x] = (unigram[x] as number) + 1;
      }
      cur = (t.depth[v] as number) > order ? (t.suffix[v] as number) : v;
    }
  }
  return t;
}

/**
 * v = ctx·x was just added: set its suffix link, walking down the context's suffixes and
 * adding one continuation count to each n-gram w·x whose left extension is new.
 */
function linkNew(t: NodeTable, v: number, ctx: number, x: number): void {
  let prev = v;
  let c = ctx;
  while (c !== 0) {
    c = t.suffix[c] as number;
    let w = findChild(t, c, x);
    const isNew = w < 0;
    if (isNew) w = addChild(t, c, x);
    t.suffix[prev] = w;
    t.count[w] = (t.count[w] as number) + 1;
    if (!isNew) return;
    prev = w;
  }
  t.suffix[prev] = 0;
}

function checkDoc(doc: Int32Array, index: number): void {
  if (!(doc instanceof Int32Array)) {
    throw new BltError(
      'BAD_INPUT',
      `Expected document ${index} to be an Int32Array of token ids, got ${describeValue(doc)}.`,
    );
  }
  for (let i = 0; i < doc.length; i++) {
    const x = doc[i] as number;
    if (x < 0 || x >= VOCAB_SIZE) {
      throw new BltError(
        'BAD_INPUT',
        `Expected token ids in [0, ${VOCAB_SIZE}), got ${x} at index ${i} of document ${index}.`,
        'encode text with encodeBytes() (byte b → token b+4, BOS 1, EOS 2)',
      );
    }
  }
}
