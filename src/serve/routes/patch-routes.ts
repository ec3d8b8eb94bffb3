/** `POST /v1/patch` (tokens, entropies, patch lengths, hashed n-gram ids) and `POST /v1/figure` (SVG). */
import type { FastifyInstance } from 'fastify';
import type { ServeContext } from '../context.js';
import { figureSvg } from '../figure.js';
import { parsePatchRequest } from '../patch-request.js';
import { clientGone } from '../request-signal.js';

export function registerPatchRoutes(app: FastifyInstance, ctx: ServeContext): void {
  const limits = { maxDocuments: ctx.maxDocuments };
  app.post('/v1/patch', { bodyLimit: ctx.bodyLimit }, async (request, reply) => {
    const req = parsePatchRequest(request.body, limits);
    return reply.send(await ctx.patch.patch(req, clientGone(reply)));
  });
  app.post('/v1/figure', { bodyLimit: ctx.bodyLimit }, async (request, reply) => {
    const svg = await figureSvg(request.body, ctx.patch, limits, clientGone(reply));
    return reply.type('image/svg+xml; charset=utf-8').send(`<?xml version="1.0" encoding="UTF-8"?>\n${svg}\n`);
  });
}
