/**
 * One interface over every entropy model kind: a transformer model directory or training
 * checkpoint (scored by the onnx or tfjs engine) or an n-gram model. What the user typed is
 * resolved by resolveEntropyModel (src/entropy/model-format/resolve-model.ts: shipped short
 * names, run directories, model files, `ngram:` optional, ...). Used by every command's
 * --model / --entropy-model, the `blt preprocess` workers and `blt serve`.
 */
import { BltError } from '../core/errors.js';
import { sha256Hex } from '../core/hash.js';
import { requireDefaultEntropyModel } from './default-model.js';
import { NGRAM_PREFIX, resolveEntropyModel, type ResolvedEntropyModel } from './model-format/resolve-model.js';
import type { EntropyEngineRequest } from './engine.js';
import type { BackendRequest } from '../backend/select-backend.js';

export interface EntropyScorer {
  /** 'onnx' | 'tfjs' | 'ngram' */
  readonly engine: string;
  readonly detail: string;
  /** the model's sha256 fingerprint (the `entropy` fingerprint of shards depends on it) */
  readonly fingerprint: string;
  /** entropies (nats) per token of each document: out[k].length === docs[k].length */
  score(docs: readonly Int32Array[]): Promise<Float32Array[]>;
  /**
   * When set (s): the entropies of tokens [a, b) of a document (a, b multiples of s, or b = n)
   * equal those of scoring tokens [a - c, b) alone and dropping the first c outputs
   * (c = `contextTokens`), so a long document can be scored in pieces (the server's fair queue,
   * src/serve/score-queue.ts).
   * Transformer: 8192 (REFERENCE_CHUNK_LENGTH: its chunks are independent contexts); n-gram: the order.
   */
  readonly contextStride?: number;
  /**
   * How many tokens before a piece it must see (default: `contextStride`): 0 when the pieces
   * are independent contexts (the transformer's 8192-token chunks), the order for n-grams.
   */
  readonly contextTokens?: number;
  close(): Promise<void>;
}

export interface ScorerOptions {
  engine?: EntropyEngineRequest;
  backend?: BackendRequest;
  threads?: number;
}

export { NGRAM_PREFIX };

/**
 * `requested` = anything resolveEntropyModel accepts (a shipped short name `ngram` / `transformer`,
 * a model or run directory of either kind, a checkpoint, an n-gram file, `ngram:<path>`);
 * undefined = the shipped default. `flag` names the option in errors.
 */
export async function openEntropyScorer(
  requested: string | undefined,
  opts: ScorerOptions = {},
  flag = '--model',
): Promise<EntropyScorer> {
  const m = await resolveSpec(requested, flag);
  if (m.kind === 'ngram') return openNgramScorer(m.path);
  // the backend first: it silences tfjs's console banner before any tensor exists
  const { initBackend } = await import('../backend/select-backend.js');
  await initBackend(opts.backend ?? 'auto');
  const dir = m.path;
  const { modelFingerprint } = await import('./model-format/model-dir.js');
  const { createEntropyEngine } = await import('./engine.js');
  const fingerprint = await modelFingerprint(dir);
  const engine = await createEntropyEngine(dir, {
    engine: opts.engine ?? 'auto',
    ...(opts.backend === undefined ? {} : { tfjsBackend: opts.backend }),
    ...(opts.threads === undefined ? {} : { threads: opts.threads }),
  });
  // Chunks of 8192 tokens are independent contexts (transformer/chunks.ts), so pieces aligned to them need no more
  // context.
  const { REFERENCE_CHUNK_LENGTH } = await import('./transformer/chunks.js');
  const detail = m.note === undefined ? engine.detail : `${m.note}; ${engine.detail}`;
  return {
    engine: engine.name,
    detail,
    fingerprint,
    score: (docs) => engine.score(docs),
    close: () => engine.close(),
    contextStride: REFERENCE_CHUNK_LENGTH,
    contextTokens: 0,
  };
}

async function openNgramScorer(path: string): Promise<EntropyScorer> {
  if (path.length === 0) throw new BltError('BAD_OPTION', 'Expected `ngram:<file>`, got an empty file name.');
  const { loadNgramScoring } = await import('./ngram/open-model.js');
  // its fingerprint: the sha256 of the file bytes (with the adaptive settings, when its config has them),
  // as entropyModelFingerprint computes it
  const s = loadNgramScoring(path);
  const adaptive = s.adaptive === undefined ? '' : `, in-document adaptive ${s.adaptive.scheme}`;
  return {
    engine: 'ngram',
    detail: `n-gram model ${path} (order ${s.model.order}${adaptive})`,
    fingerprint: s.fingerprint,
    score: async (docs) => docs.map((d) => s.entropies(d)),
    // adaptive: a token depends on the whole document before it, so pieces cannot be scored alone
    ...(s.adaptive === undefined ? { contextStride: Math.max(1, s.model.order) } : {}),
    close: async () => undefined,
  };
}

/**
 * The fingerprint of a model spec without loading the model (directory files, or the n-gram
 * file's sha256), and the canonical spec manifests record (`ngram:<file>`, an n-gram model
 * directory, or the transformer model / checkpoint directory).
 */
export async function entropyModelFingerprint(
  requested: string | undefined,
  flag = '--model',
): Promise<{ spec: string; fingerprint: string }> {
  const m = await resolveSpec(requested, flag);
  const spec = m.spec;
  if (m.kind === 'ngram') {
    const path = m.path;
    const { readFile } = await import('node:fs/promises');
    const bytes = await readFile(path).catch((err: Error) => {
      throw new BltError('NOT_FOUND', `Cannot read the n-gram model ${path}: ${err.message}`);
    });
    const { ngramScoringFingerprint } = await import('./ngram/open-model.js');
    return { spec, fingerprint: ngramScoringFingerprint(path, sha256Hex(bytes)) };
  }
  const { modelFingerprint } = await import('./model-format/model-dir.js');
  return { spec, fingerprint: await modelFingerprint(m.path) };
}

/** What `requested` names (undefined → the default model). */
async function resolveSpec(requested: string | undefined, flag: string): Promise<ResolvedEntropyModel> {
  return resolveEntropyModel(requested ?? (await requireDefaultEntropyModel()), flag);
}
