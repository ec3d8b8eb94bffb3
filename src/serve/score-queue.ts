/**
 * The one entropy scorer of the server, shared by every `/v1/patch` request. Requests wait their
 * turn in a FIFO; a request whose client has gone (its AbortSignal fired) is dropped before it
 * reaches the model, and a long batch stops between chunks of documents, so a disconnecting
 * client never leaves model work behind.
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

export class ScoreQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;
  readonly stats: ScoreQueueStats = { documents: 0, tokens: 0, aborted: 0, pending: 0 };

  /** `chunkTokens`: documents are scored in calls of about this many tokens (whole documents). */
  constructor(readonly scorer: EntropyScorer, private readonly chunkTokens = 1 << 16) {}

  score(docs: readonly Int32Array[], signal?: AbortSignal): Promise<Float32Array[]> {
    if (this.closed) return Promise.reject(new BltError('BACKEND_UNAVAILABLE', 'The entropy model is closed: the server is shutting down.'));
    this.stats.pending++;
    const run = this.tail.then(() => this.run(docs, signal));
    this.tail = run.catch(() => undefined);
    return run.finally(() => this.stats.pending--);
  }

  private async run(docs: readonly Int32Array[], signal: AbortSignal | undefined): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    let i = 0;
    while (i < docs.length) {
      if (signal?.aborted) {
        this.stats.aborted++;
        throw new RequestAborted();
      }
      let j = i;
      let tokens = 0;
      while (j < docs.length && (j === i || tokens + (docs[j] as Int32Array).length <= this.chunkTokens)) tokens += (docs[j++] as Int32Array).length;
      const chunk = docs.slice(i, j);
      out.push(...(await this.scorer.score(chunk)));
      this.stats.documents += chunk.length;
      this.stats.tokens += tokens;
      i = j;
    }
    return out;
  }

  /** Waits for the queued work, then closes the scorer. */
  async close(): Promise<void> {
    this.closed = true;
    await this.tail;
    await this.scorer.close();
  }
}
