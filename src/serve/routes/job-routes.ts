/**
 * Jobs: `POST /v1/jobs` (submit), `GET /v1/jobs` (list), `GET /v1/jobs/:id` (state, progress,
 * summary, error), `GET /v1/jobs/:id/events` (server-sent events), `DELETE /v1/jobs/:id` (cancel).
 */
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { BltError } from '../../core/errors.js';
import type { ServeContext } from '../context.js';
import { isFinished, type JobRecord } from '../job-record.js';
import { parseJobRequest } from '../job-request.js';
import { isJobId } from '../job-record.js';

export const JOB_BODY_LIMIT = 64 * 1024;
/** least time between two progress events of one stream (ms); state changes are sent at once */
const EVENT_INTERVAL_MS = 100;
const HEARTBEAT_MS = 15_000;

/** A job as answered: the record without its file-format tag. */
function jobView(r: JobRecord): Omit<JobRecord, 'format' | 'version'> {
  const { format: _f, version: _v, ...rest } = r;
  return rest;
}

function jobOf(ctx: ServeContext, id: string): JobRecord {
  const r = isJobId(id) ? ctx.jobs.get(id) : undefined;
  if (!r)
    throw new BltError('NOT_FOUND', `No job ${JSON.stringify(id)}.`, 'GET /v1/jobs lists the jobs this server knows');
  return r;
}

function streamEvents(ctx: ServeContext, job: JobRecord, reply: FastifyReply): void {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  const send = (event: string, r: JobRecord): void => {
    res.write(`event: ${event}\ndata: ${JSON.stringify(jobView(r))}\n\n`);
  };
  res.write('retry: 2000\n\n');
  send('job', job);
  if (isFinished(job.state)) {
    send('end', job);
    res.end();
    return;
  }
  let lastSent = Date.now();
  let lastState = job.state;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const close = (): void => {
    if (closed) return;
    closed = true;
    clearTimeout(timer);
    clearInterval(heartbeat);
    unsubscribe();
    ctx.streams.delete(close);
    res.end();
  };
  const flush = (): void => {
    timer = undefined;
    lastSent = Date.now();
    send('job', job);
  };
  const unsubscribe = ctx.jobs.subscribe(job.id, (r) => {
    if (closed) return;
    if (isFinished(r.state)) {
      clearTimeout(timer);
      send('job', r);
      send('end', r);
      close();
      return;
    }
    if (r.state !== lastState) {
      lastState = r.state;
      clearTimeout(timer);
      flush();
    } else if (!timer) {
      timer = setTimeout(flush, Math.max(0, EVENT_INTERVAL_MS - (Date.now() - lastSent)));
    }
  });
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
  ctx.streams.add(close);
  res.on('close', close);
}

export function registerJobRoutes(app: FastifyInstance, ctx: ServeContext): void {
  app.post('/v1/jobs', { bodyLimit: JOB_BODY_LIMIT }, async (request, reply) => {
    const id = ctx.jobs.newId();
    const options = await parseJobRequest(
      request.body,
      ctx.guard,
      { entropyModel: ctx.entropyModel, workers: ctx.workers },
      join(ctx.shardsDir, id),
    );
    const r = await ctx.jobs.submit(id, options);
    return reply.code(202).header('location', `/v1/jobs/${id}`).send(jobView(r));
  });
  app.get('/v1/jobs', async () => ({ jobs: ctx.jobs.list().map(jobView) }));
  app.get<{ Params: { id: string } }>('/v1/jobs/:id', async (request) => jobView(jobOf(ctx, request.params.id)));
  app.get<{ Params: { id: string } }>('/v1/jobs/:id/events', async (request, reply) => {
    streamEvents(ctx, jobOf(ctx, request.params.id), reply);
    return reply;
  });
  app.delete<{ Params: { id: string } }>('/v1/jobs/:id', async (request, reply) => {
    const r = await ctx.jobs.cancel(jobOf(ctx, request.params.id).id);
    return reply.code(r.state === 'cancelled' ? 200 : 202).send(jobView(r));
  });
}
