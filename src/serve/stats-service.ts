/**
 * `blt stats --json` for the server: `computeShardStats` on a shard set under the roots (or a
 * job output), one computation at a time (it is CPU-bound on the main thread), with the last
 * few reports cached by directory, options and the manifest's size and mtime. A client that
 * disconnects stops its computation at the next progress call (every 1000 documents).
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { BltError } from '../core/errors.js';
import { MANIFEST_FILE } from '../shards/manifest.js';
import { computeShardStats, type ShardStatsOptions } from '../stats/shard-stats.js';
import type { ShardStatsReport } from '../stats/stats-report.js';
import { RequestAborted } from './score-queue.js';
import type { PathGuard } from './path-guard.js';

export interface StatsQuery {
  dir: string;
  maxDocs?: number;
  threshold?: number;
  monotonicity?: boolean;
  ngrams?: boolean;
}

export const STATS_QUERY_FIELDS = ['dir', 'maxDocs', 'threshold', 'monotonicity', 'ngrams'] as const;

export class StatsService {
  private tail: Promise<unknown> = Promise.resolve();
  private readonly cache = new Map<string, ShardStatsReport>();

  constructor(
    readonly guard: PathGuard,
    private readonly cacheSize = 8,
  ) {}

  async report(q: StatsQuery, signal?: AbortSignal): Promise<ShardStatsReport> {
    const dir = await this.guard.check('dir', q.dir);
    const m = await stat(join(dir, MANIFEST_FILE)).catch(() => null);
    if (!m) {
      const d = await stat(dir).catch(() => null);
      throw d?.isDirectory()
        ? new BltError(
            'SHARD_FORMAT',
            `${q.dir} is not a complete shard set: it has no ${MANIFEST_FILE}.`,
            'a preprocessing run writes index.json last; wait for the job to finish',
          )
        : new BltError('NOT_FOUND', `No shard set at ${q.dir}: the directory does not exist.`);
    }
    const key = JSON.stringify([dir, q.maxDocs, q.threshold, q.monotonicity, q.ngrams, m.size, m.mtimeMs]);
    const hit = this.cache.get(key);
    if (hit) return hit;
    const run = this.tail.then(async () => {
      if (signal?.aborted) throw new RequestAborted();
      const o: ShardStatsOptions = {
        onProgress: () => {
          if (signal?.aborted) throw new RequestAborted();
        },
      };
      if (q.maxDocs !== undefined) o.maxDocs = q.maxDocs;
      if (q.threshold !== undefined) o.threshold = q.threshold;
      if (q.monotonicity) o.monotonicity = true;
      if (q.ngrams === false) o.ngrams = false;
      return computeShardStats(dir, o);
    });
    this.tail = run.catch(() => undefined);
    const report = await run;
    this.cache.set(key, report);
    while (this.cache.size > this.cacheSize) this.cache.delete(this.cache.keys().next().value as string);
    return report;
  }
}
