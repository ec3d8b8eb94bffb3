/** The compute backend of a training run: wasm by default; the slow pure-JS cpu backend only when allowed. */
import { initBackend, type BackendInfo, type BackendRequest } from '../../backend/select-backend.js';
import { BltError, type BltErrorCode } from '../../core/errors.js';

export interface CpuRefusal {
  /** How the caller allows cpu, for the hint (e.g. '--allow-cpu'). */
  readonly allowWith: string;
  /** The error code when cpu was asked for by name (default BACKEND_UNAVAILABLE). */
  readonly requestedCode?: BltErrorCode;
}

/** Starts `request`; refuses to train on cpu (a fallback, or asked for) unless `allowCpu`. */
export async function trainingBackend(
  request: BackendRequest,
  allowCpu: boolean,
  refusal: CpuRefusal,
): Promise<BackendInfo> {
  const info = await initBackend(request);
  if (info.name === 'cpu' && !allowCpu) {
    throw new BltError(
      request === 'cpu' ? (refusal.requestedCode ?? 'BACKEND_UNAVAILABLE') : 'BACKEND_UNAVAILABLE',
      `Refusing to train on the pure-JS cpu backend (about 25x slower than wasm): ${info.reason}.`,
      `pass ${refusal.allowWith} to train on cpu anyway, or run \`blt doctor\` to see why wasm is unavailable`,
    );
  }
  return info;
}
