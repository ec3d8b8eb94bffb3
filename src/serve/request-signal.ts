/**
 * An AbortSignal that fires when the client of a request goes away before its response is
 * complete (the connection closed), so the work done for it can stop.
 */
import type { FastifyReply } from 'fastify';

export function clientGone(reply: FastifyReply): AbortSignal {
  const ac = new AbortController();
  const res = reply.raw;
  const onClose = (): void => {
    if (!res.writableFinished) ac.abort();
  };
  res.once('close', onClose);
  return ac.signal;
}
