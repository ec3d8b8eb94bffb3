/** What the routes of `blt serve` share: the resolved options and the long-lived services. */
import type { EntropyScorer } from '../entropy/open-scorer.js';
import type { JobManager } from './job-manager.js';
import type { Metrics } from './metrics.js';
import type { PathGuard } from './path-guard.js';
import type { PatchService } from './patch-service.js';
import type { ScoreQueue } from './score-queue.js';
import type { StatsService } from './stats-service.js';

export interface ServeContext {
  /** request body limit of /v1/patch and /v1/figure (bytes) */
  bodyLimit: number;
  /** most documents in one /v1/patch batch */
  maxDocuments: number;
  /** the server's entropy model (undefined: the shipped default) */
  entropyModel: string | undefined;
  /** default and maximum preprocessing workers of a job */
  workers: number;
  /** where jobs write when they name no `out` */
  shardsDir: string;
  scorer: EntropyScorer;
  queue: ScoreQueue;
  patch: PatchService;
  jobs: JobManager;
  /** inputs, outputs and models of jobs */
  guard: PathGuard;
  stats: StatsService;
  metrics: Metrics;
  /** open event streams: each function ends its stream (shutdown) */
  streams: Set<() => void>;
  startedAt: number;
}
