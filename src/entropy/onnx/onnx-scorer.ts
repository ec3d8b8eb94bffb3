import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { BltError, describeValue } from '../../core/errors.js';
import { requireInt, requireOneOf } from '../../core/validate.js';
import { isDense, rowPieces } from '../transformer/attention-layout.js';
import {
  packRows,
  planBatches,
  planRows,
  REFERENCE_CHUNK_LENGTH,
  scatterRows,
  type EntropyRow,
} from '../transformer/chunks.js';
import type { EntropyTransformerConfig } from '../transformer/types.js';
import { buildEntropyOnnxGraphs, type OnnxEntropyGraphs } from './build-graph.js';
import { loadOrt, type Ort } from './load-ort.js';
import { OnnxRowInputs } from './row-inputs.js';
import { checkTokenIds } from '../transformer/check-tokens.js';

export type OnnxExecutionProvider = 'cpu' | 'cuda';

export interface OnnxScorerOptions {
  /** onnxruntime intra-op threads (default 1: one per worker in a pool). */
  readonly threads?: number;
  /** 'cpu' (default) or 'cuda' (needs the CUDA EP binaries; see docs/entropy-inference.md). */
  readonly executionProvider?: OnnxExecutionProvider;
  /** Tokens per session.run, in rows of `window` (default 8: 8·window tokens; a longer row runs alone). Results do not
   * depend on it. */
  readonly batchSize?: number;
  /** Tokens per independent context (default 8192, the reference's calculate_entropies max_length). */
  readonly chunkLength?: number;
}

function checkTokens(docs: readonly Int32Array[], vocab: number): void {
  docs.forEach((d, doc) => {
    if (!(d instanceof Int32Array))
      throw new BltError('BAD_INPUT', `Document ${doc}: expected an Int32Array of token ids, got ${describeValue(d)}.`);
    checkTokenIds(d, vocab, doc);
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
  private sessions: { rows: InferenceSession; pieces: InferenceSession } | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly inputs: OnnxRowInputs;

  private constructor(
    private readonly ort: Ort,
    sessions: { rows: InferenceSession; pieces: InferenceSession },
    readonly config: EntropyTransformerConfig,
    readonly executionProvider: OnnxExecutionProvider,
    private readonly batchSize: number,
    private readonly chunkLength: number,
  ) {
    this.sessions = sessions;
    this.inputs = new OnnxRowInputs(ort, config);
  }

  /** Opens the sessions on the graphs of buildEntropyOnnxGraphs. */
  static async fromOnnx(
    config: EntropyTransformerConfig,
    graphs: OnnxEntropyGraphs,
    options: OnnxScorerOptions = {},
  ): Promise<OnnxEntropyScorer> {
    const threads = requireInt('threads', options.threads ?? 1, 1, 1024);
    const batchSize = requireInt('batchSize', options.batchSize ?? 8, 1, 4096);
    const chunkLength = requireInt('chunkLength', options.chunkLength ?? REFERENCE_CHUNK_LENGTH, 1, 1 << 20);
    const ep = requireOneOf('executionProvider', options.executionProvider ?? 'cpu', ['cpu', 'cuda'] as const);
    const ort = await loadOrt();
    const open = (bytes: Uint8Array): Promise<InferenceSession> =>
      ort.InferenceSession.create(bytes, sessionOptions(ep, threads));
    let sessions: { rows: InferenceSession; pieces: InferenceSession };
    try {
      sessions = { rows: await open(graphs.rows), pieces: await open(graphs.pieces) };
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      if (ep === 'cuda') {
        throw new BltError(
          'BACKEND_UNAVAILABLE',
          `onnxruntime could not open a session with the CUDA execution provider: ${msg}`,
          'on a machine with CUDA 12 + cuDNN 9, fetch the CUDA EP: ONNXRUNTIME_NODE_INSTALL=cuda12 node ' +
            'node_modules/onnxruntime-node/script/install.js (docs/entropy-inference.md); or use the ' +
            'cpu provider',
        );
      }
      throw new BltError(
        'MODEL_FORMAT',
        `onnxruntime rejected the entropy model graph: ${msg}`,
        'this is likely a bug in the ONNX export; please report it',
      );
    }
    return new OnnxEntropyScorer(ort, sessions, config, ep, batchSize, chunkLength);
  }

  /** Builds the ONNX graphs in memory from contract weights (name → float32, PyTorch layout) and opens sessions. */
  static async fromWeights(
    config: EntropyTransformerConfig,
    weights: ReadonlyMap<string, Float32Array>,
    options: OnnxScorerOptions = {},
  ): Promise<OnnxEntropyScorer> {
    return OnnxEntropyScorer.fromOnnx(config, buildEntropyOnnxGraphs(config, weights), options);
  }

  /** Entropies (nats) per token of each document: out[k].length === docs[k].length. */
  score(docs: readonly Int32Array[]): Promise<Float32Array[]> {
    const run = this.queue.then(() => this.scoreNow(docs));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async scoreNow(docs: readonly Int32Array[]): Promise<Float32Array[]> {
    const sessions = this.sessions;
    if (!sessions) throw new BltError('BAD_OPTION', 'This OnnxEntropyScorer is closed.', 'create a new scorer');
    checkTokens(docs, this.config.vocab_size);
    const out = docs.map((d) => new Float32Array(d.length));
    const W = this.config.window;
    for (const rows of planBatches(planRows(docs, W, this.chunkLength), W, this.batchSize)) {
      const { T, position } = rows[0] ?? { T: 0, position: 0 };
      if (isDense(T, W)) {
        const tokens = new this.ort.Tensor('int32', packRows(docs, rows, T), [rows.length, T]);
        scatterRows(entropiesOf(await sessions.rows.run({ tokens, ...this.inputs.feeds(T, position) })), rows, T, out);
      } else await this.runPieces(sessions.pieces, docs, rows, out);
    }
    return out;
  }

  /**
   * Rows longer than the window, piece by piece (rowPieces): each piece's call takes the keys and
   * values of the previous `lead` positions of every layer from the last call (present_* → past_*).
   */
  private async runPieces(
    session: InferenceSession,
    docs: readonly Int32Array[],
    rows: readonly EntropyRow[],
    out: readonly Float32Array[],
  ): Promise<void> {
    const { T, position } = rows[0] as EntropyRow;
    let past = this.inputs.pastKeys(rows.length);
    for (const piece of rowPieces(T, this.config.window)) {
      const P = piece.length;
      const tokens = new this.ort.Tensor('int32', packRows(docs, rows, P, 0, piece.start), [rows.length, P]);
      const result = await session.run({ tokens, ...this.inputs.pieceFeeds(P, piece.start, position, past) });
      scatterRows(entropiesOf(result), rows, P, out, piece.start);
      past = {};
      for (const [name, v] of Object.entries(result))
        if (name.startsWith('present_')) past[`past_${name.slice(8)}`] = v;
    }
  }

  /** Releases the sessions after the pending `score` calls finish; later calls fail. Idempotent. */
  close(): Promise<void> {
    const closing = this.queue.then(async () => {
      const sessions = this.sessions;
      this.sessions = undefined;
      await sessions?.rows.release();
      await sessions?.pieces.release();
    });
    this.queue = closing.catch(() => undefined);
    return closing;
  }
}

function entropiesOf(result: Record<string, Tensor>): Float32Array {
  const ent = result.entropies;
  if (!ent || !(ent.data instanceof Float32Array))
    throw new BltError('INTERNAL', 'the ONNX entropy graph returned no float32 `entropies`');
  return ent.data;
}
