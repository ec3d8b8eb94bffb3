/**
 * Entropy-stage inference engine selection (docs/entropy-inference.md):
 *   'onnx' — onnxruntime-node (graph built in memory from the weights), the fast path;
 *   'tfjs' — the tfjs model on the active tfjs backend (wasm by default), the fallback and reference;
 *   'auto' — onnx when onnxruntime-node loads and opens a session, else tfjs.
 * Both engines cut, pad and batch documents identically (the reference's single pass per 8192-token
 * chunk, transformer/chunks.ts), so their entropies agree to float32 noise.
 */
import { initBackend, type BackendRequest } from '../backend/select-backend.js';
import { BltError, badOption } from '../core/errors.js';
import { loadEntropyModel, type LoadedEntropyModel } from './model-format/model-dir.js';
import { OnnxEntropyScorer, type OnnxExecutionProvider } from './onnx/onnx-scorer.js';
import { computeEntropiesBatch } from './transformer/entropy.js';
import { disposeEntropyTransformer, exportWeightArrays } from './transformer/model.js';
import type { EntropyTransformer } from './transformer/types.js';

export type EntropyEngineName = 'onnx' | 'tfjs';
export type EntropyEngineRequest = EntropyEngineName | 'auto';
export const ENTROPY_ENGINE_REQUESTS: readonly EntropyEngineRequest[] = ['auto', 'onnx', 'tfjs'];

export interface EntropyEngineOptions {
  /** Default 'auto'. */
  readonly engine?: EntropyEngineRequest;
  /** onnx: intra-op threads (default 1; use 1 per worker in a pool). tfjs: ignored (wasm is 1 thread in Node). */
  readonly threads?: number;
  /** Tokens per model call in rows of `window` (default 8: 8·window tokens); results do not depend on it. */
  readonly batchSize?: number;
  /** onnx: 'cpu' (default) or 'cuda'. */
  readonly executionProvider?: OnnxExecutionProvider;
  /** tfjs: the backend to initialise (default 'auto': tensorflow > wasm > cpu). */
  readonly tfjsBackend?: BackendRequest;
}

export interface EntropyEngine {
  readonly name: EntropyEngineName;
  /** Why this engine was chosen, and what it runs on. */
  readonly detail: string;
  /** Entropies (nats) per token of each document: out[k].length === docs[k].length. */
  score(docs: readonly Int32Array[]): Promise<Float32Array[]>;
  /** Releases the session / model (a model passed in by the caller is left alone). */
  close(): Promise<void>;
}

/** A model directory, a loaded directory (loadEntropyModel) or a live tfjs model. */
export type EntropyModelSource = string | LoadedEntropyModel | EntropyTransformer;

function isLoaded(m: LoadedEntropyModel | EntropyTransformer): m is LoadedEntropyModel {
  return 'model' in m && 'fingerprint' in m;
}

/** Float32 weights keyed by contract name (PyTorch layout), as the ONNX builder takes them. */
function weightMap(model: EntropyTransformer): Map<string, Float32Array> {
  return new Map([...exportWeightArrays(model)].map(([k, v]) => [k, v.data]));
}

async function onnxEngine(model: EntropyTransformer, o: EntropyEngineOptions, why: string): Promise<EntropyEngine> {
  const scorer = await OnnxEntropyScorer.fromWeights(model.config, weightMap(model), {
    threads: o.threads,
    batchSize: o.batchSize,
    executionProvider: o.executionProvider,
  });
  const detail =
    `${why}; onnxruntime-node, ${scorer.executionProvider} execution provider, ${o.threads ?? 1} intra-op ` +
    `thread(s), graph built in memory`;
  return { name: 'onnx', detail, score: (docs) => scorer.score(docs), close: () => scorer.close() };
}

async function tfjsEngine(
  model: EntropyTransformer,
  owned: boolean,
  o: EntropyEngineOptions,
  why: string,
): Promise<EntropyEngine> {
  const backend = await initBackend(o.tfjsBackend ?? 'auto');
  let live: EntropyTransformer | undefined = model;
  return {
    name: 'tfjs',
    detail: `${why}; tfjs on the ${backend.name} backend`,
    score: async (docs) => {
      if (!live) throw new BltError('BAD_OPTION', 'This entropy engine is closed.', 'create a new engine');
      return computeEntropiesBatch(live, docs, { batchSize: o.batchSize ?? 8 });
    },
    close: async () => {
      if (live && owned) disposeEntropyTransformer(live);
      live = undefined;
    },
  };
}

function unavailableReason(err: unknown): string {
  if (!(err instanceof BltError) || err.code !== 'BACKEND_UNAVAILABLE') throw err;
  return err.message.split('\n', 1)[0] ?? err.message;
}

/** auto: onnx on the requested provider; if that is CUDA and fails, onnx on CPU; then tfjs. */
async function autoEngine(model: EntropyTransformer, owned: boolean, o: EntropyEngineOptions): Promise<EntropyEngine> {
  let why: string;
  try {
    return await onnxEngine(model, o, 'auto: onnxruntime-node loaded');
  } catch (err) {
    why = unavailableReason(err);
  }
  if (o.executionProvider === 'cuda') {
    try {
      return await onnxEngine(
        model,
        { ...o, executionProvider: 'cpu' },
        `auto: CUDA unavailable (${why}), so the CPU provider`,
      );
    } catch (err) {
      why = unavailableReason(err);
    }
  }
  return tfjsEngine(model, owned, o, `auto: onnx unavailable (${why})`);
}

/**
 * Opens an entropy engine on a model. `engine: 'onnx'` or `'tfjs'` fail with BACKEND_UNAVAILABLE
 * when that engine cannot run here; `'auto'` takes onnx when it can, else tfjs (and says why in
 * `detail`). A model directory is loaded (fingerprint verified) and owned by the engine.
 */
export async function createEntropyEngine(
  source: EntropyModelSource,
  options: EntropyEngineOptions = {},
): Promise<EntropyEngine> {
  const request = options.engine ?? 'auto';
  if (!(ENTROPY_ENGINE_REQUESTS as readonly string[]).includes(request)) {
    throw badOption('engine', `one of ${ENTROPY_ENGINE_REQUESTS.map((r) => `'${r}'`).join(', ')}`, request);
  }
  const owned = typeof source === 'string';
  const model =
    typeof source === 'string' ? (await loadEntropyModel(source)).model : isLoaded(source) ? source.model : source;
  try {
    if (request === 'tfjs') return await tfjsEngine(model, owned, options, 'requested explicitly');
    if (request === 'onnx') {
      const engine = await onnxEngine(model, options, 'requested explicitly');
      if (owned) disposeEntropyTransformer(model);
      return engine;
    }
    const engine = await autoEngine(model, owned, options);
    if (engine.name === 'onnx' && owned) disposeEntropyTransformer(model);
    return engine;
  } catch (err) {
    if (owned) disposeEntropyTransformer(model);
    throw err;
  }
}
