import type { BltError } from './errors.js';

/**
 * JSON.parse whose failure becomes the caller's coded error: `fail` gets JSON.parse's message and
 * returns the BltError to throw (each format names its own file, code and fix).
 */
export function parseJson(text: string, fail: (parseMessage: string) => BltError): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw fail((err as Error).message);
  }
}
