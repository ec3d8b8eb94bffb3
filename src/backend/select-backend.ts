/**
 * Chooses, initialises and reports the tfjs compute backend.
 *
 * Auto order: `tensorflow` (tfjs-node-gpu, then tfjs-node; optional, usually absent) → `wasm`
 * (the embedded default: XNNPACK + SIMD, ~25x pure JS) → `cpu` (pure JS, last resort and the
 * reference for parity tests). The CLI passes `--backend` / `BLT_BACKEND` in; this module reads
 * neither process.env nor argv.
 */
import * as tf from '@tensorflow/tfjs';
import { availableParallelism } from 'node:os';
import { BltError, badOption } from '../core/errors.js';
import { activateTensorflow, probeTensorflow, tensorflowUnavailable } from './tensorflow-backend.js';
import { activateWasm, probeWasm } from './wasm-backend.js';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';
export type BackendRequest = BackendName | 'auto';
export const BACKEND_REQUESTS: readonly BackendRequest[] = ['auto', 'tensorflow', 'wasm', 'cpu'];

export interface BackendCandidate {
  name: string;
  available: boolean;
  detail: string;
}

export interface BackendInfo {
  name: BackendName;
  /** `tf.getBackend()` after activation. */
  tfBackend: string;
  /** Why this backend was chosen, in words. */
  reason: string;
  /** Compute threads one backend instance uses (wasm: 1 in Node; scale out with worker threads). */
  threads: number;
  /** What was probed, in order. */
  candidates: BackendCandidate[];
}

/** Cores this process may use (os.availableParallelism): the size for worker pools. */
export function availableCores(): number {
  return availableParallelism();
}

/** Validates a backend request from the CLI or a config; BAD_OPTION otherwise. */
export function parseBackendRequest(value: unknown): BackendRequest {
  if (typeof value === 'string' && (BACKEND_REQUESTS as readonly string[]).includes(value))
    return value as BackendRequest;
  throw badOption(
    'backend',
    `one of ${BACKEND_REQUESTS.map((r) => `'${r}'`).join(', ')}`,
    value,
    'pass --backend auto|tensorflow|wasm|cpu or set BLT_BACKEND',
  );
}

const WASM_THREADS_NOTE =
  'one thread per backend (wasm threads are off in Node); parallelism = one backend per worker thread';

let current: { request: BackendRequest; info: BackendInfo } | undefined;
let queue: Promise<unknown> = Promise.resolve();

/**
 * Initialises the requested backend (default 'auto') and returns what was chosen and why.
 * Idempotent: the same request returns the cached info while that backend is still active; a
 * different request switches. Calls are serialised. Explicit requests that cannot be met throw
 * BltError BACKEND_UNAVAILABLE; an unknown request throws BAD_OPTION.
 */
export async function initBackend(request: BackendRequest = 'auto'): Promise<BackendInfo> {
  const req = parseBackendRequest(request);
  const run = queue.then(() => initSerial(req));
  queue = run.catch(() => undefined);
  return run;
}

async function initSerial(request: BackendRequest): Promise<BackendInfo> {
  if (current?.request === request && tf.getBackend() === current.info.tfBackend) return current.info;
  tf.enableProdMode();
  const info = request === 'auto' ? await initAuto() : await initExplicit(request);
  current = { request, info };
  return info;
}

async function initExplicit(name: BackendName): Promise<BackendInfo> {
  if (name === 'tensorflow') {
    const probes = await probeTensorflow();
    const ok = probes.find((p) => p.available);
    if (!ok) throw tensorflowUnavailable(probes);
    await activateTensorflow(ok);
    return tensorflowInfo(`requested explicitly; ${ok.detail}`, candidatesOf(probes));
  }
  if (name === 'wasm') {
    const probe = await probeWasm();
    const act = await activateWasm();
    return wasmInfo(`requested explicitly; ${WASM_THREADS_NOTE}`, [{ name: 'wasm', ...probe }], act.threads);
  }
  await activateCpu();
  return cpuInfo('requested explicitly (pure JS: slow, the reference for parity tests)', [cpuCandidate()]);
}

async function initAuto(): Promise<BackendInfo> {
  const probes = await probeTensorflow();
  const candidates = candidatesOf(probes);
  const wasmProbe = await probeWasm();
  candidates.push({ name: 'wasm', ...wasmProbe }, cpuCandidate());
  const tfProbe = probes.find((p) => p.available);
  if (tfProbe) {
    try {
      await activateTensorflow(tfProbe);
      return tensorflowInfo(`auto: first available in tensorflow > wasm > cpu; ${tfProbe.detail}`, candidates);
    } catch (err) {
      markUnavailable(candidates, tfProbe.name, err);
      tfProbe.summary = 'setBackend failed';
    }
  }
  const notTf =
    `tensorflow unavailable ` +
    `(${probes.map((p) => `${p.pkg.slice('@tensorflow/'.length)}: ${p.summary}`).join('; ')})`;
  if (wasmProbe.available) {
    try {
      const act = await activateWasm();
      return wasmInfo(`auto: ${notTf}, so wasm (XNNPACK + SIMD); ${WASM_THREADS_NOTE}`, candidates, act.threads);
    } catch (err) {
      markUnavailable(candidates, 'wasm', err);
    }
  }
  await activateCpu();
  return cpuInfo(`auto: ${notTf} and wasm unavailable (${wasmDetail(candidates)}), so cpu (pure JS, slow)`, candidates);
}

async function activateCpu(): Promise<void> {
  if (!(await tf.setBackend('cpu')) || tf.getBackend() !== 'cpu') {
    throw new BltError(
      'BACKEND_UNAVAILABLE',
      "Backend 'cpu' is unavailable: tf.setBackend('cpu') returned false.",
      'reinstall @tensorflow/tfjs (npm ci)',
    );
  }
}

function tensorflowInfo(reason: string, candidates: BackendCandidate[]): BackendInfo {
  return { name: 'tensorflow', tfBackend: tf.getBackend(), reason, threads: availableCores(), candidates };
}

function wasmInfo(reason: string, candidates: BackendCandidate[], threads: number): BackendInfo {
  return { name: 'wasm', tfBackend: tf.getBackend(), reason, threads, candidates };
}

function cpuInfo(reason: string, candidates: BackendCandidate[]): BackendInfo {
  return { name: 'cpu', tfBackend: tf.getBackend(), reason, threads: 1, candidates };
}

function cpuCandidate(): BackendCandidate {
  return { name: 'cpu', available: true, detail: 'pure JS (@tensorflow/tfjs-backend-cpu), always available' };
}

function candidatesOf(probes: ReadonlyArray<{ name: string; available: boolean; detail: string }>): BackendCandidate[] {
  return probes.map((p) => ({ name: p.name, available: p.available, detail: p.detail }));
}

function markUnavailable(candidates: BackendCandidate[], name: string, err: unknown): void {
  const c = candidates.find((x) => x.name === name);
  if (c) {
    c.available = false;
    c.detail = err instanceof Error ? (err.message.split('\n', 1)[0] ?? err.message) : String(err);
  }
}

function wasmDetail(candidates: readonly BackendCandidate[]): string {
  return candidates.find((c) => c.name === 'wasm')?.detail ?? 'not probed';
}
