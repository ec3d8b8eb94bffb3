/** `/` (the web page), `/healthz`, `/metrics` (Prometheus) and `/openapi.json` (docs/openapi.json). */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { DEFAULT_ENTROPY_MODEL } from '../../entropy/default-model.js';
import { BltError } from '../../core/errors.js';
import { packageRoot, packageVersion } from '../../core/package-info.js';
import type { ServeContext } from '../context.js';
import { PAGE_CSP, webPage } from '../web-page.js';

export function registerMetaRoutes(app: FastifyInstance, ctx: ServeContext): void {
  const page = webPage();
  app.get('/', async (_request, reply) =>
    reply.type('text/html; charset=utf-8').header('content-security-policy', PAGE_CSP).send(page),
  );
  app.get('/healthz', async () => ({
    status: 'ok',
    version: packageVersion(),
    uptimeSeconds: (performance.now() - ctx.startedAt) / 1000,
    accepting: ctx.jobs.accepting,
    model: {
      name: ctx.entropyModel ?? `${DEFAULT_ENTROPY_MODEL} (shipped)`,
      engine: ctx.scorer.engine,
      detail: ctx.scorer.detail,
      fingerprint: ctx.scorer.fingerprint,
      defaultThreshold: ctx.patch.defaultThreshold,
    },
    roots: ctx.guard.roots.map((r) => r.path),
    jobs: ctx.jobs.countByState(),
  }));
  app.get('/metrics', async (_request, reply) =>
    reply.type('text/plain; version=0.0.4; charset=utf-8').send(
      ctx.metrics.render({
        jobs: ctx.jobs.countByState(),
        jobBytes: ctx.jobs.totals.bytes,
        jobDocuments: ctx.jobs.totals.documents,
        patch: ctx.queue.stats,
        uptimeSeconds: (performance.now() - ctx.startedAt) / 1000,
      }),
    ),
  );
  app.get('/openapi.json', async (_request, reply) => {
    const text = await readFile(join(packageRoot(), 'docs', 'openapi.json'), 'utf8').catch(() => {
      throw new BltError('NOT_FOUND', 'docs/openapi.json is not installed with this package.');
    });
    return reply.type('application/json; charset=utf-8').send(text);
  });
}
