import type * as OrtModule from 'onnxruntime-node';
import { BltError } from '../../core/errors.js';

/** The onnxruntime-node module (types only at compile time; loaded lazily at run time). */
export type Ort = typeof OrtModule;

let cached: Promise<Ort> | undefined;

/**
 * Loads onnxruntime-node once per thread (its native binding loads at import). Throws
 * BACKEND_UNAVAILABLE when the package or its binary for this platform is missing.
 */
export function loadOrt(): Promise<Ort> {
  cached ??= import('onnxruntime-node').then(
    (m) => m,
    (e: unknown) => {
      cached = undefined;
      throw new BltError(
        'BACKEND_UNAVAILABLE',
        `onnxruntime-node could not be loaded ` +
          `on ${process.platform}/${process.arch}: ${e instanceof Error ? e.message : String(e)}`,
        'install it (`npm install onnxruntime-node`, with `onnxruntime-node-install=skip` in .npmrc when ' +
          "offline) or use `engine: 'tfjs'`",
      );
    },
  );
  return cached;
}
