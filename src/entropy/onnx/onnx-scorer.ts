import type { InferenceSession } from 'onnxruntime-node';
import { BltError, describeValue } from '../../core/errors.js';
import { requireInt, requireOneOf } from '../../core/validate.js';
import { packRows, planBatches, planRows, REFERENCE_CHUNK_LENGTH, scatterRows } from '../transformer/chunks.js';
import type { EntropyTransformerConfig } from '../transformer/types.js';
import { buildEntropyOnnx } from './build-graph.js';
import { loadOrt, type Ort } from './load-ort.js';
import { OnnxRowInputs } from './row-inputs.js';

export type OnnxExecutionProvider = 'cpu' | 'cuda';

export interface OnnxScorerOptions {
  /** onnxruntime intra-op threads (default 1: one per worker in a pool). */
  readonly threads?: number;
  /** 'cpu' (default) or 'cuda' (needs the CUDA EP binaries; see docs/entropy-inference.md). */
  readonly executionProvider?: OnnxExecutionProvider;
  /** Tokens per session.run, in rows of `window` (default 8: 8·window tokens; a longer row runs alone). Results do not depend on it. */
  readonly batchSize?: number;
  /** Tokens per independent context (default 8192, the reference's calculate_entropies max_length). */
  readonly chunkLength?: number;
}

function checkTokens(docs: readonly Int32Array[], vocab: number): void {
  docs.forEach((d, doc) => {
    if (!(d instanceof Int32Array))
      throw new BltError('BAD_INPUT', `Document ${doc}: expected an Int32Array of token ids, got ${describeValue(d)}.`);
    for (let i = 0; i < d.length; i++) {
      const t = d[i] as number;
      if (t < 0 || t >= vocab) {
        throw new BltError(
          'BAD_INPUT',
          `Document ${doc}: token ${i} is ${t}, expected an id in [0, ${vocab}).`,
          'tokens are byte + 4 with specials 0..3 (see the byte tokenizer)',
        );
      }
    }
  });
}

function sessionOptions(ep: OnnxExecutionProvider, threads: number): InferenceSession.SessionOptions {
  return {
    executionProviders: ep === 'cuda' ? ['cuda', 'cpu'] : ['cpu'],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  };
}

/**
 * Scores documents with the entropy transformer on onnxruntime-node. Lifecycle: `create` (builds
 * or takes the ONNX bytes, opens one session), `score` any number of times, `close`.
 * Rows, padding, batching, RoPE tables and attention layouts are those of the tfjs
 * computeEntropiesBatch (chunks.ts, attention-layout.ts): the reference's single pass per
 * 8192-token chunk. Both engines give the same entropies (within float32 noise) and a document's
 * result does not depend on the other documents passed with it. `score` calls are serialised.
 */
export class OnnxEntropyScorer {
  private session: InferenceSession | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly inputs: OnnxRowInputs;

  private constructor(
    private readonly ort: Ort,
    session: InferenceSession,
    readonly config: EntropyTransformerConfig,
    readonly executionProvider: OnnxExecutionProvider,
    private readonly batchSize: number,
    private readonly chunkLength: number,
  ) {
    this.session = session;
    this.inputs = new OnnxRowInputs(ort, config);
  }

  /** Opens a session on ONNX bytes from buildEntropyOnnx (int32 tokens). */
  static async fromOnnx(
    config: EntropyTransformerConfig,
    onnxBytes: Uint8Array,
    options: OnnxScorerOptions = {},
  ): Promise<OnnxEntropyScorer> {
    const threads = requireInt('threads', options.threads ?? 1, 1, 1024);
    const batchSize = requireInt('batchSize', options.batchSize ?? 8, 1, 4096);
    const chunkLength = requireInt('chunkLength', options.chunkLength ?? REFERENCE_CHUNK_LENGTH, 1, 1 << 20);
    const ep = requireOneOf('executionProvider', options.executionProvider ?? 'cpu', ['cpu', 'cuda'] as const);
    const ort = await loadOrt();
    let session: InferenceSession;
    try {
      session = await ort.InferenceSession.create(onnxBytes, sessionOptions(ep, threads));
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      if (ep === 'cuda') {
        throw new BltError(
          'BACKEND_UNAVAILABLE',
          `onnxruntime could not open a session with the CUDA execution provider: ${msg}`,
          'on a machine with CUDA 12 + cuDNN 9, fetch the CUDA EP: ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules/onnxruntime-node/script/install.js (docs/entropy-inference.md); or use the cpu provider',
        );
      }
      throw new BltError(
        'MODEL_FORMAT',
        `onnxruntime rejected the entropy model graph: ${msg}`,
        'this is likely a bug in the ONNX export; please report it',
      );
    }
    return new OnnxEntropyScorer(ort, session, config, ep, batchSize, chunkLength);
  }

  /** Builds the ONNX graph in memory from contract weights (name → float32, PyTorch layout) and opens a session. */
  static async fromWeights(
    config: EntropyTransformerConfig,
    weights: ReadonlyMap<string, Float32Array>,
    options: OnnxScorerOptions = {},
  ): Promise<OnnxEntropyScorer> {
    return OnnxEntropyScorer.fromOnnx(config, buildEntropyOnnx(config, weights, { tokenType: 'int32' }), options);
  }

  /** Entropies (nats) per token of each document: out[k].length === docs[k].length. */
  score(docs: readonly Int32Array[]): Promise<Float32Array[]> {
    const run = this.queue.then(() => this.scoreNow(docs));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async scoreNow(docs: readonly Int32Array[]): Promise<Float32Array[]> {
    const session = this.session;
    if (!session) throw new BltError('BAD_OPTION', 'This OnnxEntropyScorer is closed.', 'create a new scorer');
    checkTokens(docs, this.config.vocab_size);
    const out = docs.map((d) => new Float32Array(d.length));
    const W = this.config.window;
    for (const rows of planBatches(planRows(docs, W, this.chunkLength), W, this.batchSize)) {
      const { T, position } = rows[0] ?? { T: 0, position: 0 };
      const tokens = new this.ort.Tensor('int32', packRows(docs, rows, T), [rows.length, T]);
      const result = await session.run({ tokens, ...this.inputs.feeds(T, position) });
      const ent = result.entropies;
      if (!ent || !(ent.data instanceof Float32Array))
        throw new BltError('INTERNAL', 'the ONNX entropy graph returned no float32 `entropies`');
      scatterRows(ent.data, rows, T, out);
    }
    return out;
  }

  /** Releases the session after the pending `score` calls finish; later calls fail. Idempotent. */
  close(): Promise<void> {
    const closing = this.queue.then(async () => {
      const session = this.session;
      this.session = undefined;
      await session?.release();
    });
    this.queue = closing.catch(() => undefined);
    return closing;
  }
}
