/**
 * `blt serve`: the toolkit over HTTP (fastify). One entropy scorer, loaded at start, serves
 * `/v1/patch` and `/v1/figure`; preprocessing jobs run through the same `runPreprocess` as
 * `blt preprocess`, queued and persisted under the cache directory; `/v1/stats` is `blt stats`.
 * See docs/serve.md and docs/openapi.json.
 *
 * `close()` is the graceful shutdown: stop accepting, end event streams, let the requests in
 * flight finish, stop running jobs after their tasks in flight (persisted as queued, so they
 * resume at the next start), then release the model.
 */
import { availableParallelism } from 'node:os';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { BltError } from '../core/errors.js';
import { requireInt } from '../core/validate.js';
import type { EntropyEngineRequest } from '../entropy/engine.js';
import type { EntropyScorer } from '../entropy/open-scorer.js';
import type { ServeContext } from './context.js';
import { errorResponse, HttpError } from './http-error.js';
import { JobManager } from './job-manager.js';
import { JobStore } from './job-store.js';
import { Metrics } from './metrics.js';
import { PathGuard, resolveRoots } from './path-guard.js';
import { PatchService } from './patch-service.js';
import { preprocessJobRunner, type JobRunner } from './run-job.js';
import { RequestAborted, ScoreQueue } from './score-queue.js';
import { StatsService } from './stats-service.js';
import { registerJobRoutes } from './routes/job-routes.js';
import { registerMetaRoutes } from './routes/meta-routes.js';
import { registerPatchRoutes } from './routes/patch-routes.js';
import { registerStatsRoutes } from './routes/stats-routes.js';

export const DEFAULT_BODY_LIMIT = 1 << 20;
export const DEFAULT_MAX_DOCUMENTS = 1024;
export const DEFAULT_CACHE_DIR = '.blt-serve';

export interface ServeOptions {
  /** state directory: job records (jobs/) and default job outputs (shards/) */
  cacheDir?: string;
  /** entropy model directory or ngram:<file> (default: the shipped model) */
  entropyModel?: string;
  engine?: EntropyEngineRequest;
  /** directories whose files jobs may read and write and whose shard sets /v1/stats may read */
  roots?: readonly string[];
  /** jobs running at once (default 1) */
  jobConcurrency?: number;
  /** preprocessing workers of a job (default: cores); also the most a job may ask for */
  workers?: number;
  /** request body limit of /v1/patch and /v1/figure in bytes (default 1 MiB) */
  bodyLimit?: number;
  /** most documents in one /v1/patch batch (default 1024) */
  maxDocuments?: number;
  log?: (message: string) => void;
  /** tests: use this scorer instead of loading the model (it is closed with the server) */
  scorer?: EntropyScorer;
  /** tests: run jobs with this instead of runPreprocess */
  runner?: JobRunner;
}

export interface BltServer {
  app: FastifyInstance;
  context: ServeContext;
  /** starts listening; resolves to the base URL */
  listen(port: number, host?: string): Promise<string>;
  /** graceful shutdown (idempotent) */
  close(): Promise<void>;
}

export async function createServer(o: ServeOptions = {}): Promise<BltServer> {
  const log = o.log ?? (() => undefined);
  const cacheDir = resolve(o.cacheDir ?? DEFAULT_CACHE_DIR);
  const shardsDir = join(cacheDir, 'shards');
  await mkdir(shardsDir, { recursive: true });
  const roots = await resolveRoots(o.roots ?? []);
  const guard = new PathGuard(roots);
  const statsGuard = new PathGuard(
    [...roots, ...(await resolveRoots([shardsDir], 'cache directory'))],
    "the server's --roots and job outputs",
  );
  const workers = requireInt('workers', o.workers ?? availableParallelism(), 0, 256);
  const bodyLimit = requireInt('bodyLimit', o.bodyLimit ?? DEFAULT_BODY_LIMIT, 1024);
  const maxDocuments = requireInt('maxDocuments', o.maxDocuments ?? DEFAULT_MAX_DOCUMENTS, 1);
  const entropyModel =
    o.entropyModel === undefined
      ? undefined
      : o.entropyModel.startsWith('ngram:')
        ? o.entropyModel
        : resolve(o.entropyModel);

  const { openEntropyScorer } = await import('../entropy/open-scorer.js');
  const { resolveThreshold } = await import('../entropy/model-threshold.js');
  const { defaultEntropyModelDir, DEFAULT_ENTROPY_MODEL } = await import('../entropy/default-model.js');
  const scorer = o.scorer ?? (await openEntropyScorer(entropyModel, { engine: o.engine ?? 'auto' }));
  log(`entropy model loaded: ${scorer.detail}`);
  const threshold = await resolveThreshold(undefined, entropyModel ?? defaultEntropyModelDir());
  const queue = new ScoreQueue(scorer);
  const jobs = new JobManager({
    store: new JobStore(cacheDir, log),
    runner: o.runner ?? preprocessJobRunner(guard, entropyModel),
    concurrency: requireInt('jobConcurrency', o.jobConcurrency ?? 1, 1, 64),
    log,
  });
  const ctx: ServeContext = {
    bodyLimit,
    maxDocuments,
    entropyModel,
    workers,
    shardsDir,
    scorer,
    queue,
    jobs,
    guard,
    patch: new PatchService({
      queue,
      defaultThreshold: threshold.threshold,
      scriptThresholds: threshold.scriptThresholds,
      modelName: entropyModel ?? DEFAULT_ENTROPY_MODEL,
    }),
    stats: new StatsService(statsGuard),
    metrics: new Metrics(),
    streams: new Set(),
    startedAt: performance.now(),
  };

  const app = Fastify({ logger: false, bodyLimit, return503OnClosing: true, forceCloseConnections: 'idle' });
  // JSON.parse's own message says where the JSON broke (fastify's default parser drops it)
  // JSON only: fastify's default text/plain parser would hand a string to the routes (a 400);
  // without it a text/plain body is refused with 415 as docs/serve.md says
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = body as string;
    if (text.trim() === '')
      return done(
        new HttpError(400, 'BAD_INPUT', 'The request body is empty: expected a JSON object.', 'e.g. {"text": "Hello"}'),
        undefined,
      );
    try {
      done(null, JSON.parse(text));
    } catch (err) {
      done(
        new HttpError(
          400,
          'BAD_INPUT',
          `The request body is not valid JSON: ${(err as Error).message}.`,
          'send one JSON object, e.g. {"text": "Hello"}',
        ),
        undefined,
      );
    }
  });
  app.setErrorHandler((err, _request, reply) => {
    if (err instanceof RequestAborted)
      return reply.code(499).send({ statusCode: 499, error: { code: 'CLIENT_CLOSED', message: err.message } });
    const limit = reply.request.routeOptions.bodyLimit ?? bodyLimit;
    const fixed = reply.request.routeOptions.url === '/v1/jobs'; // JOB_BODY_LIMIT, not --body-limit
    const body = errorResponse(err, limit, fixed ? undefined : 'start the server with a larger --body-limit');
    if (body.statusCode >= 500) log(`${reply.request.method} ${reply.request.url}: ${body.error.message}`);
    return reply.code(body.statusCode).send(body);
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({
      statusCode: 404,
      error: {
        code: 'NOT_FOUND',
        message: `No route ${request.method} ${request.url.split('?')[0]}.`,
        hint:
          'the API: POST /v1/patch, POST /v1/figure, POST|GET /v1/jobs, GET|DELETE /v1/jobs/:id, GET ' +
          '/v1/jobs/:id/events, GET /v1/stats?dir=, GET /healthz, GET /metrics; docs/serve.md',
      },
    }),
  );
  app.addHook('onResponse', async (request, reply) => {
    ctx.metrics.observeRequest(
      request.method,
      request.routeOptions.url ?? 'unmatched',
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
  });
  app.addHook('preClose', async () => {
    for (const end of [...ctx.streams]) end();
  });
  registerMetaRoutes(app, ctx);
  registerPatchRoutes(app, ctx);
  registerJobRoutes(app, ctx);
  registerStatsRoutes(app, ctx);
  await jobs.start();

  let closing: Promise<void> | undefined;
  return {
    app,
    context: ctx,
    async listen(port, host = '127.0.0.1') {
      try {
        await app.listen({ port, host });
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE')
          throw new BltError(
            'BAD_OPTION',
            `Cannot listen on ${host}:${port}: the port is in use.`,
            'stop the other server or choose another --port (0 picks a free one)',
          );
        if (code === 'EACCES')
          throw new BltError(
            'BAD_OPTION',
            `Cannot listen on ${host}:${port}: permission denied.`,
            'ports below 1024 need privileges; choose a --port above 1023',
          );
        if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND')
          throw new BltError(
            'BAD_OPTION',
            `Cannot listen on ${host}: no such local address.`,
            'use 127.0.0.1 (this machine only) or 0.0.0.0 (every interface)',
          );
        throw err;
      }
      const addr = app.server.address();
      const p = addr !== null && typeof addr === 'object' ? addr.port : port;
      return `http://${host.includes(':') ? `[${host}]` : host}:${p}`;
    },
    close() {
      closing ??= (async () => {
        await Promise.all([app.close(), jobs.shutdown()]);
        await queue.close();
      })();
      return closing;
    },
  };
}
