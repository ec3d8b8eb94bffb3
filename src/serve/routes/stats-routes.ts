/**
 * `GET /v1/stats?dir=` (the `blt stats --json` object of a shard set) and
 * `GET /v1/stats/report?dir=` (its self-contained HTML report, as `blt stats --html`).
 * Query: `dir` (required), `maxDocs`, `threshold`, `monotonicity`, `ngrams` (true/false).
 */
import type { FastifyInstance } from 'fastify';
import { BltError, badOption } from '../../core/errors.js';
import { parseNumber } from '../../options/numeric.js';
import { statsHtml } from '../../report/stats-html.js';
import { rejectUnknown } from '../body-fields.js';
import type { ServeContext } from '../context.js';
import { clientGone } from '../request-signal.js';
import { STATS_QUERY_FIELDS, type StatsQuery } from '../stats-service.js';

function one(q: Record<string, unknown>, k: string): string | undefined {
  const v = q[k];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw badOption(k, 'one value (the parameter is repeated)', v);
  return v;
}

function numberParam(q: Record<string, unknown>, k: string, integer: boolean): number | undefined {
  const v = one(q, k);
  if (v === undefined) return undefined;
  return parseNumber(k, v, integer ? { integer, min: 1 } : { expected: 'a finite number' });
}

function boolParam(q: Record<string, unknown>, k: string): boolean | undefined {
  const v = one(q, k);
  if (v === undefined) return undefined;
  if (v !== 'true' && v !== 'false') throw badOption(k, '"true" or "false"', v);
  return v === 'true';
}

function parseStatsQuery(query: unknown): StatsQuery {
  const q = (query ?? {}) as Record<string, unknown>;
  rejectUnknown(q, STATS_QUERY_FIELDS, 'the query string');
  const dir = one(q, 'dir');
  if (dir === undefined || dir === '')
    throw new BltError(
      'BAD_OPTION',
      'Expected `dir`: the shard set directory (under the roots, or a job output), got nothing.',
      'e.g. /v1/stats?dir=shards/demo',
    );
  const s: StatsQuery = { dir };
  const maxDocs = numberParam(q, 'maxDocs', true);
  const threshold = numberParam(q, 'threshold', false);
  const monotonicity = boolParam(q, 'monotonicity');
  const ngrams = boolParam(q, 'ngrams');
  if (maxDocs !== undefined) s.maxDocs = maxDocs;
  if (threshold !== undefined) s.threshold = threshold;
  if (monotonicity !== undefined) s.monotonicity = monotonicity;
  if (ngrams !== undefined) s.ngrams = ngrams;
  if (s.monotonicity && s.threshold === undefined)
    throw new BltError(
      'BAD_OPTION',
      'Expected `threshold` with `monotonicity=true`, got monotonicity alone.',
      'pass the relative threshold, e.g. &threshold=0.5',
    );
  return s;
}

export function registerStatsRoutes(app: FastifyInstance, ctx: ServeContext): void {
  app.get('/v1/stats', async (request, reply) =>
    reply.send(await ctx.stats.report(parseStatsQuery(request.query), clientGone(reply))),
  );
  app.get('/v1/stats/report', async (request, reply) => {
    const report = await ctx.stats.report(parseStatsQuery(request.query), clientGone(reply));
    return reply
      .type('text/html; charset=utf-8')
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; img-src data:")
      .send(statsHtml(report));
  });
}
