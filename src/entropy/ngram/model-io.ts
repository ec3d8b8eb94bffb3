import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { writeFileAtomicSyncNoFsync } from '../../core/atomic.js';
import { BltError } from '../../core/errors.js';
import { VOCAB_SIZE } from '../../bytes/byte-vocab.js';
import { buildModel, flooredEntropies, lazyModel } from './build-model.js';
import { finalizeTables } from './finalize.js';
import { MAX_FAST_ORDER } from './context-table.js';
import { decodeNgramModel, encodeNgramModel } from './file-format.js';
import type { NgramModel } from './model.js';
import { findChild, rebuildSlots, type NodeTable } from './node-table.js';

/** Writes the model file atomically (core's temporary sibling + rename); returns its fingerprint. */
export function saveNgramModel(path: string, model: NgramModel): string {
  writeFileAtomicSyncNoFsync(path, [encodeNgramModel(model)]);
  return model.fingerprint;
}

/** Reads a model file: MODEL_FORMAT errors on a wrong magic/version, truncation or bad tables. */
export function loadNgramModel(path: string): NgramModel {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new BltError(
      'NOT_FOUND',
      `Expected an n-gram model file at ${path}, but it cannot be read: ${(err as Error).message}`,
    );
  }
  return ngramModelFromBytes(bytes, path);
}

/**
 * File bytes → model (the inverse of encodeNgramModel). `path` only names the source in errors.
 * A version-2 file with a stored index is ready to score at once (the trie is linked and the
 * probabilities derived only when log-probabilities are asked for); a version-1 file, or an
 * order above 6, is rebuilt here as before.
 */
export function ngramModelFromBytes(bytes: Uint8Array, path = '<bytes>'): NgramModel {
  const file = decodeNgramModel(bytes, path);
  const { order, discounts, floor, pruned } = file;
  const link = (): NodeTable => linkedTable(file.table, order, path);
  if (file.version === 1 || file.contexts === undefined || order > MAX_FAST_ORDER) {
    return buildModel(link(), { order, discounts, floor, pruned }, bytes);
  }
  const contexts = file.contexts;
  checkNodes(file.table, path);
  checkContexts(contexts, file.table.size, path);
  const fingerprint = createHash('sha256').update(bytes).digest('hex');
  let closedForm: Float32Array = new Float32Array(0); // the unfloored entropies, set with the probabilities
  return lazyModel(
    {
      order,
      discounts,
      floor: floor ?? { weight: 0, dist: new Float64Array(VOCAB_SIZE).fill(1 / VOCAB_SIZE) },
      pruned,
      fingerprint,
      contexts,
      rootEntropy: file.rootEntropy ?? 0,
    },
    () => {
      const table = link();
      const { prob, gamma, entropy } = finalizeTables(table, order, discounts, pruned);
      closedForm = entropy;
      return { table, prob, gamma };
    },
    ({ table, prob, gamma }) =>
      flooredEntropies(table, { order, discounts, floor, pruned }, { prob, gamma, entropy: closedForm }),
  );
}

/** Cheap checks of the stored trie (no hashing): parents before children, tokens in range. Duplicates are found when
 * the trie is linked. */
function checkNodes(t: Pick<NodeTable, 'size' | 'parent' | 'token'>, path: string): void {
  for (let v = 1; v < t.size; v++) {
    const p = t.parent[v] as number;
    const x = t.token[v] as number;
    if (!(p >= 0 && p < v)) throw corrupt(path, v, `expected a parent id in [0, ${v}), got ${p}`);
    if (x >= VOCAB_SIZE) throw corrupt(path, v, `expected a token < ${VOCAB_SIZE}, got ${x}`);
  }
}

function corrupt(path: string, v: number, what: string): BltError {
  return new BltError(
    'MODEL_FORMAT',
    `${path}: corrupt n-gram table at node ${v}: ${what}.`,
    'the file is damaged; retrain or restore it',
  );
}

/** The stored index must point at nodes that exist (cheap: one pass, no hashing). */
function checkContexts(ct: { slots: Int32Array }, size: number, path: string): void {
  const s = ct.slots;
  for (let i = 0; i < s.length; i += 4) {
    if (s[i] !== 0 && !((s[i + 2] as number) > 0 && (s[i + 2] as number) < size)) {
      throw new BltError(
        'MODEL_FORMAT',
        `${path}: corrupt n-gram context index at slot ${i / 4}: node ${s[i + 2]} is not in [1, ${size}).`,
        'the file is damaged; retrain or restore it',
      );
    }
  }
}

/** The stored trie with its hash table, depth and suffix links, checking it is well formed. */
function linkedTable(
  stored: Pick<NodeTable, 'size' | 'parent' | 'count' | 'token'>,
  order: number,
  path: string,
): NodeTable {
  const size = stored.size;
  const t: NodeTable = {
    ...stored,
    depth: new Uint8Array(size),
    suffix: new Int32Array(size),
    slots: new Float64Array(0),
    mask: 0,
  };
  rebuildSlots(t);
  const bad = (v: number, what: string): BltError => corrupt(path, v, what);
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
  return t;
}
