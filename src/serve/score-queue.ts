/**
 * The one entropy scorer of the server, shared by every `/v1/patch` request.
 *
 * Fair scheduling: each request is cut into **work units** of about `chunkTokens` tokens (runs
 * of whole documents; a longer document is cut into pieces when the scorer says how, below),
 * and the scorer takes one unit of each waiting request in turn (round robin). A small request
 * therefore waits for at most one unit of each request ahead of it, not for a whole 900 KB
 * document. A request whose client has gone (its AbortSignal fired) is dropped before its next
 * unit, so a disconnecting client never leaves model work behind.
 *
 * Pieces of one document: a scorer with `contextStride` s and `contextTokens` c (default s)
 * guarantees that the entropies of tokens [a, b) (a, b multiples of s, or b the document's end)
 * equal those of scoring tokens [a - c, b) on their own and dropping the first c outputs (the
 * transformer's 8192-token chunks are independent contexts: s = 8192, c = 0; an n-gram model of
 * order k sees k - 1 tokens: s = c = k). So the kept outputs are identical to scoring the
 * document whole (tested bit for bit in test/e2e/serve-fairness.test.ts). Without `contextStride` a
 * document is one unit.
 */
import { BltError } from '../core/errors.js';
import type { EntropyScorer } from '../entropy/open-scorer.js';

/** Thrown when the request's signal fired before or while its documents were scored. */
export class RequestAborted extends Error {
  constructor() {
    super('the client closed the connection');
    this.name = 'RequestAborted';
  }
}

export interface ScoreQueueStats {
  /** documents scored */
  documents: number;
  /** tokens scored */
  tokens: number;
  /** requests dropped (or stopped) because their client disconnected */
  aborted: number;
  /** requests waiting or being scored now */
  pending: number;
}

/** Whole documents `docs[first..first+count)`, or one piece of document `doc`. */
type Unit =
  | { kind: 'docs'; first: number; count: number; tokens: number }
  | { kind: 'piece'; doc: number; from: number; keepFrom: number; to: number; last: boolean };

interface Request {
  docs: readonly Int32Array[];
  units: Unit[];
  next: number;
  out: Float32Array[];
  signal: AbortSignal | undefined;
  resolve: (v: Float32Array[]) => void;
  reject: (e: unknown) => void;
}

/** Default work unit: about half a second of the shipped model on one core. */
export const DEFAULT_CHUNK_TOKENS = 8192;

/** The work units of one request (pure: depends on the document lengths and the two sizes). */
export function planUnits(
  lengths: readonly number[],
  chunkTokens: number,
  stride: number | undefined,
  context = stride ?? 0,
): Unit[] {
  const units: Unit[] = [];
  const span = stride === undefined ? 0 : Math.max(stride, Math.floor(chunkTokens / stride) * stride);
  let i = 0;
  while (i < lengths.length) {
    const n = lengths[i] as number;
    if (stride !== undefined && n > span + stride) {
      for (let a = 0; a < n; a += span) {
        const b = a + span >= n - stride ? n : a + span; // no tail shorter than one stride
        const from = Math.max(0, a - context);
        units.push({ kind: 'piece', doc: i, from, keepFrom: a - from, to: b, last: b === n });
        if (b === n) break;
      }
      i++;
      continue;
    }
    let j = i;
    let tokens = 0;
    while (
      j < lengths.length &&
      (j === i ||
        (tokens + (lengths[j] as number) <= chunkTokens &&
          !(stride !== undefined && (lengths[j] as number) > span + stride)))
    )
      tokens += lengths[j++] as number;
    units.push({ kind: 'docs', first: i, count: j - i, tokens });
    i = j;
  }
  return units;
}

export class ScoreQueue {
  private readonly active: Request[] = [];
  private turn = 0;
  private running: Promise<void> | null = null;
  private closed = false;
  readonly stats: ScoreQueueStats = { documents: 0, tokens: 0, aborted: 0, pending: 0 };

  /** `chunkTokens`: the size of one work unit (whole documents, or pieces of a long one). */
  constructor(
    readonly scorer: EntropyScorer,
    private readonly chunkTokens = DEFAULT_CHUNK_TOKENS,
  ) {}

  score(docs: readonly Int32Array[], signal?: AbortSignal): Promise<Float32Array[]> {
    if (this.closed)
      return Promise.reject(
        new BltError('BACKEND_UNAVAILABLE', 'The entropy model is closed: the server is shutting down.'),
      );
    this.stats.pending++;
    const done = new Promise<Float32Array[]>((resolve, reject) => {
      const units = planUnits(
        docs.map((d) => d.length),
        this.chunkTokens,
        this.scorer.contextStride,
        this.scorer.contextTokens,
      );
      this.active.push({ docs, units, next: 0, out: new Array<Float32Array>(docs.length), signal, resolve, reject });
    });
    this.running ??= this.pump();
    return done.finally(() => this.stats.pending--);
  }

  /** One unit of each active request in turn, until none is left. */
  private async pump(): Promise<void> {
    try {
      while (this.active.length > 0) {
        if (this.turn >= this.active.length) this.turn = 0;
        const r = this.active[this.turn] as Request;
        let finished = false;
        try {
          finished = await this.step(r);
        } catch (err) {
          r.reject(err);
          finished = true;
        }
        if (finished) this.active.splice(this.turn, 1);
        else this.turn++;
      }
    } finally {
      this.running = null;
    }
  }

  /** Scores the next unit of `r`; true when `r` is settled. */
  private async step(r: Request): Promise<boolean> {
    if (r.signal?.aborted) {
      this.stats.aborted++;
      throw new RequestAborted();
    }
    const u = r.units[r.next++];
    if (u === undefined) {
      r.resolve(r.out);
      return true;
    }
    if (u.kind === 'docs') {
      const res = await this.scorer.score(r.docs.slice(u.first, u.first + u.count));
      res.forEach((e, k) => (r.out[u.first + k] = e));
      this.stats.documents += u.count;
      this.stats.tokens += u.tokens;
    } else {
      const doc = r.docs[u.doc] as Int32Array;
      const whole = (r.out[u.doc] ??= new Float32Array(doc.length));
      const [res] = await this.scorer.score([doc.subarray(u.from, u.to)]);
      whole.set((res as Float32Array).subarray(u.keepFrom), u.from + u.keepFrom);
      this.stats.tokens += u.to - u.from - u.keepFrom;
      if (u.last) this.stats.documents++;
    }
    if (r.next < r.units.length) return false;
    r.resolve(r.out);
    return true;
  }

  /** Waits for the queued work, then closes the scorer. */
  async close(): Promise<void> {
    this.closed = true;
    await this.running;
    await this.scorer.close();
  }
}
