import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { BltError } from '../../core/errors.js';
import { VOCAB_SIZE } from '../byte-vocab.js';
import { buildModel } from './build-model.js';
import { decodeNgramModel, encodeNgramModel } from './file-format.js';
import type { NgramModel } from './model.js';
import { findChild, rebuildSlots, type NodeTable } from './node-table.js';

/** Writes the model file (to `<path>.tmp`, then renamed); returns its fingerprint. */
export function saveNgramModel(path: string, model: NgramModel): string {
  const bytes = encodeNgramModel(model);
  writeFileSync(`${path}.tmp`, bytes);
  renameSync(`${path}.tmp`, path);
  return model.fingerprint;
}

/** Reads a model file: MODEL_FORMAT errors on a wrong magic/version, truncation or bad tables. */
export function loadNgramModel(path: string): NgramModel {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new BltError('NOT_FOUND', `Expected an n-gram model file at ${path}, but it cannot be read: ${(err as Error).message}`);
  }
  return ngramModelFromBytes(bytes, path);
}

/** File bytes → model (the inverse of encodeNgramModel). `path` only names the source in errors. */
export function ngramModelFromBytes(bytes: Uint8Array, path = '<bytes>'): NgramModel {
  const { order, discounts, table: stored } = decodeNgramModel(bytes, path);
  const size = stored.size;
  const table: NodeTable = {
    ...stored,
    depth: new Uint8Array(size),
    suffix: new Int32Array(size),
    slots: new Float64Array(0),
    mask: 0,
  };
  rebuildSlots(table);
  linkTable(table, order, path);
  return buildModel(table, order, discounts, bytes);
}

/** Recomputes depth and suffix links, checking the trie is well formed. */
function linkTable(t: NodeTable, order: number, path: string): void {
  const bad = (v: number, what: string): BltError =>
    new BltError('MODEL_FORMAT', `${path}: corrupt n-gram table at node ${v}: ${what}.`, 'the file is damaged; retrain or restore it');
  for (let v = 1; v < t.size; v++) {
    const p = t.parent[v] as number;
    const x = t.token[v] as number;
    if (!(p >= 0 && p < v)) throw bad(v, `expected a parent id in [0, ${v}), got ${p}`);
    if (x >= VOCAB_SIZE) throw bad(v, `expected a token < ${VOCAB_SIZE}, got ${x}`);
    if (findChild(t, p, x) !== v) throw bad(v, `duplicate n-gram (parent ${p}, token ${x})`);
    const d = (t.depth[p] as number) + 1;
    if (d > order + 1) throw bad(v, `expected n-grams of at most ${order + 1} tokens, got ${d}`);
    t.depth[v] = d;
    const s = d === 1 ? 0 : findChild(t, t.suffix[p] as number, x);
    if (s < 0) throw bad(v, 'its suffix n-gram is missing');
    t.suffix[v] = s;
  }
}
