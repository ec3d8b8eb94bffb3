/**
 * createLoader: shard sets → BLT training batches, resumable exactly (issue "Train BLT", item 2).
 *
 *   ShardSource (epochs, shard order, row position)
 *     → SequenceBuffer (reference SequenceIterator: P-patch sequences, seeded shuffle buffer)
 *     → packSequences (reference PackingIterator, patching mode, truncate/pad to N)
 *     → assembleBatch (patch ids, n-gram ids of the packed rows)
 *     → PrefetchQueue (bounded; each batch carries the snapshot taken right after it)
 *
 * getState() serialises the snapshot of the last batch the consumer received, so prefetched
 * batches are never lost or repeated on resume.
 */
import { ShardSource } from './shard-source.js';
import { SequenceBuffer } from './sequence-buffer.js';
import { packSequences } from './pack-batch.js';
import { assembleBatch, type LoaderBatch } from './loader-batch.js';
import { resolveLoaderOptions, type LoaderOptions } from './loader-options.js';
import {
  checkLoaderState,
  loaderState,
  type LoaderConfig,
  type LoaderCounts,
  type LoaderSnapshot,
  type LoaderState,
} from './loader-state.js';
import { PrefetchQueue } from './prefetch-queue.js';
import type { Sequence } from './patch-stream.js';

export interface BltLoader extends AsyncIterable<LoaderBatch> {
  /** The next batch, or null after the last (the loader stays open: call close() when done). */
  next(): Promise<LoaderBatch | null>;
  /** The position after the last batch returned; a loader created with it continues identically. */
  getState(): LoaderState;
  /** Token accounting after the last batch returned. */
  readonly counts: LoaderCounts;
  readonly config: LoaderConfig;
  /** Stops prefetching and closes the shard reader. getState() still works. */
  close(): Promise<void>;
}

class ShardLoader implements BltLoader {
  private current: LoaderSnapshot;
  /** items: a batch and the snapshot right after it; a final item with batch null marks the end */
  private readonly queue: PrefetchQueue<{ batch: LoaderBatch | null; snapshot: LoaderSnapshot }>;
  private ended = false;

  constructor(
    readonly config: LoaderConfig,
    private readonly source: ShardSource,
    private readonly buffer: SequenceBuffer,
    counts: LoaderCounts,
    prefetch: number,
  ) {
    let produced = { ...counts };
    this.current = { counts, buffer: buffer.snapshot() };
    this.queue = new PrefetchQueue(async () => {
      const r = await this.produce(produced);
      if (r) produced = r.snapshot.counts;
      return r;
    }, prefetch);
  }

  private async produce(before: LoaderCounts): Promise<{ batch: LoaderBatch | null; snapshot: LoaderSnapshot } | null> {
    if (this.ended) return null;
    const { batchSize: B, seqLenPatches: P, maxEncoderSeqLen: N, ngram } = this.config;
    const seqs: Sequence[] = [];
    while (seqs.length < B) {
      const s = await this.buffer.next();
      if (!s) break;
      seqs.push(s);
    }
    if (seqs.length === 0) {
      this.ended = true; // the end is an item too: its snapshot holds the tail dropped at the end
      return { batch: null, snapshot: { counts: before, buffer: this.buffer.snapshot() } };
    }
    const packed = packSequences(seqs, B, P, N);
    const counts: LoaderCounts = {
      batches: before.batches + 1,
      targets: before.targets + packed.realTargets,
      droppedLastPatch: before.droppedLastPatch + packed.droppedLastPatch,
      droppedTruncated: before.droppedTruncated + packed.droppedTruncated,
    };
    return { batch: assembleBatch(packed, B, P, N, ngram), snapshot: { counts, buffer: this.buffer.snapshot() } };
  }

  async next(): Promise<LoaderBatch | null> {
    const item = await this.queue.next();
    if (!item) return null;
    this.current = item.snapshot;
    return item.batch;
  }

  getState(): LoaderState {
    return loaderState(this.config, this.current);
  }

  get counts(): LoaderCounts {
    return { ...this.current.counts };
  }

  async close(): Promise<void> {
    await this.queue.close();
    await this.source.close();
  }

  /** `for await` closes the loader when the loop ends or breaks (getState() stays valid). */
  async *[Symbol.asyncIterator](): AsyncGenerator<LoaderBatch> {
    try {
      for (let b = await this.next(); b; b = await this.next()) yield b;
    } finally {
      await this.close();
    }
  }
}

/** Opens the shard sets (and restores `opts.state`); BAD_OPTION / STATE_FORMAT / BAD_INPUT on bad input. */
export async function createLoader(opts: LoaderOptions): Promise<BltLoader> {
  const { dirs, config, prefetch, checksums } = resolveLoaderOptions(opts);
  const saved = opts.state === undefined ? null : checkLoaderState(opts.state, config);
  const source = await ShardSource.open({
    dirs,
    seed: config.seed,
    shuffle: config.shuffleShards,
    epochs: config.epochs ?? Infinity,
    checksums,
    ...(saved ? { state: saved.buffer.source } : {}),
  });
  try {
    const { seqLenPatches: P, bufferSize, seed } = config;
    const buffer = saved
      ? SequenceBuffer.fromState(source, P, bufferSize, saved.buffer)
      : SequenceBuffer.create(source, P, bufferSize, seed);
    const counts = saved?.counts ?? { batches: 0, targets: 0, droppedLastPatch: 0, droppedTruncated: 0 };
    return new ShardLoader(config, source, buffer, counts, prefetch);
  } catch (err) {
    await source.close();
    throw err;
  }
}

/**
 * The reference's validation iteration (docs/reference.md §3.6 step 5, §8.2): one pass in shard order, buffer
 * size 1 (no shuffle), rows padded to N, the last batch partial with all-zero mask rows.
 */
export function createValidationLoader(
  opts: Omit<LoaderOptions, 'bufferSize' | 'epochs' | 'shuffleShards' | 'seed'> & { seed?: number },
): Promise<BltLoader> {
  return createLoader({ ...opts, seed: opts.seed ?? 0, bufferSize: 1, epochs: 1, shuffleShards: false });
}
