/**
 * Errors of the HTTP service: every failure is a BltError whose code decides the HTTP status
 * (HttpError pins one explicitly, e.g. 403 for a path outside the roots, 413 for a body over the
 * limit). The response body is always `{ error: { code, message, hint? }, statusCode }`.
 */
import { BltError, type BltErrorCode } from '../core/errors.js';

export class HttpError extends BltError {
  readonly statusCode: number;

  constructor(statusCode: number, code: BltErrorCode, message: string, hint?: string) {
    super(code, message, hint);
    this.name = 'HttpError';
    this.statusCode = statusCode;
  }
}

const STATUS_BY_CODE: Record<BltErrorCode, number> = {
  BAD_OPTION: 400,
  BAD_INPUT: 400,
  NOT_FOUND: 404,
  STATE_FORMAT: 409,
  SHARD_FORMAT: 422,
  MODEL_FORMAT: 500,
  BACKEND_UNAVAILABLE: 503,
  NOT_IMPLEMENTED: 501,
  INTERNAL: 500,
};

export interface ErrorBody {
  statusCode: number;
  error: { code: string; message: string; hint?: string };
}

/** Fastify's own client errors (body parsing, content type, size), reworded to say what was wrong. */
function fastifyClientError(
  err: { code?: string; statusCode?: number; message: string },
  bodyLimit: number,
  raiseLimit: string | undefined,
): ErrorBody | null {
  const status = err.statusCode;
  if (status === undefined || status < 400 || status >= 500) return null;
  const body = (code: string, message: string, hint?: string): ErrorBody => ({
    statusCode: status,
    error: { code, message, ...(hint ? { hint } : {}) },
  });
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return body(
        'PAYLOAD_TOO_LARGE',
        `The request body is larger than this server's limit of ${bodyLimit} bytes.`,
        raiseLimit === undefined
          ? 'this limit is fixed: a job request names files on the server (inputs, out) and options, ' +
              'never the text itself'
          : `send smaller requests (split a batch into several), or ${raiseLimit}`,
      );
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return body(
        'UNSUPPORTED_MEDIA_TYPE',
        `${err.message}.`,
        'send JSON with the header Content-Type: application/json',
      );
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return body(
        'BAD_INPUT',
        'The request body is empty, but Content-Type is application/json: expected a JSON object.',
      );
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return body('BAD_INPUT', 'The Content-Length header does not match the body that was sent.');
    default:
      if (err instanceof SyntaxError || err.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
        return body(
          'BAD_INPUT',
          `The request body is not valid JSON: ${err.message}.`,
          'send one JSON object, e.g. {"text": "Hello"}',
        );
      }
      return body(err.code ?? 'BAD_REQUEST', err.message);
  }
}

/**
 * Any thrown value → status and JSON body. Unknown errors are 500 with their message.
 * `raiseLimit`: how the body limit of this endpoint can be raised (undefined: it cannot).
 */
export function errorResponse(err: unknown, bodyLimit: number, raiseLimit?: string): ErrorBody {
  if (err instanceof HttpError) return { statusCode: err.statusCode, error: withHint(err) };
  if (err instanceof BltError) return { statusCode: STATUS_BY_CODE[err.code], error: withHint(err) };
  if (err !== null && typeof err === 'object' && 'message' in err) {
    const client = fastifyClientError(
      err as { code?: string; statusCode?: number; message: string },
      bodyLimit,
      raiseLimit,
    );
    if (client) return client;
  }
  const message = err instanceof Error ? err.message : String(err);
  return { statusCode: 500, error: { code: 'INTERNAL', message: `Unexpected server error: ${message}` } };
}

function withHint(err: BltError): ErrorBody['error'] {
  const message = err.hint ? err.message.slice(0, err.message.lastIndexOf('\n  hint: ')) : err.message;
  return { code: err.code, message, ...(err.hint ? { hint: err.hint } : {}) };
}
