/**
 * Probing and activating the `tensorflow` backend: `@tensorflow/tfjs-node-gpu`, else
 * `@tensorflow/tfjs-node` (optionalDependencies). Both need libtensorflow, which their install
 * script downloads; that download fails offline and, since August 2026, answers 403 for everyone
 * (tensorflow/tfjs#8742). So they are an accelerator for machines that have them, never required.
 */
import * as tf from '@tensorflow/tfjs';
import { BltError } from '../core/errors.js';
import { firstLine } from './wasm-binaries.js';

export const TENSORFLOW_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;

/** One package's probe result. `name` is the candidate label shown by `blt doctor`. */
export interface TensorflowProbe {
  name: string;
  pkg: string;
  available: boolean;
  /** Full explanation (candidate detail, error message). */
  detail: string;
  /** A few words for the reason line: 'not installed', 'import failed', ... */
  summary: string;
}

export type ModuleImporter = (specifier: string) => Promise<unknown>;

const defaultImporter: ModuleImporter = (specifier) => import(specifier);

/** Why importing `pkg` failed, in words. */
export function describeImportFailure(pkg: string, err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
    const message = err instanceof Error ? err.message : '';
    if (message.includes(`'${pkg}'`)) return `${pkg} is not installed (optional dependency)`;
  }
  return `${pkg} could not be imported: ${firstLine(err)}`;
}

/**
 * Imports each package in order until one registers the 'tensorflow' backend factory on our copy
 * of tfjs-core. Returns one probe per package tried (later packages are skipped after a success).
 */
export async function probeTensorflow(importer: ModuleImporter = defaultImporter): Promise<TensorflowProbe[]> {
  const probes: TensorflowProbe[] = [];
  for (const pkg of TENSORFLOW_PACKAGES) {
    const name = `tensorflow (${pkg.slice('@tensorflow/'.length)})`;
    try {
      await importer(pkg);
    } catch (err) {
      const detail = describeImportFailure(pkg, err);
      probes.push({
        name,
        pkg,
        available: false,
        detail,
        summary: detail.endsWith('not installed (optional dependency)') ? 'not installed' : 'import failed',
      });
      continue;
    }
    const factory = tf.findBackendFactory('tensorflow') as unknown; // null when not registered
    if (!factory) {
      const detail =
        `${pkg} imported, but registered no 'tensorflow' backend on this @tensorflow/tfjs ` +
        `(${tf.version_core}); install the same version as @tensorflow/tfjs`;
      probes.push({ name, pkg, available: false, detail, summary: 'no backend registered' });
      continue;
    }
    probes.push({
      name,
      pkg,
      available: true,
      detail: `${pkg} loaded (libtensorflow, native threads)`,
      summary: 'loaded',
    });
    return probes;
  }
  return probes;
}

/** The BACKEND_UNAVAILABLE error for an explicit `tensorflow` request, built from the probes. */
export function tensorflowUnavailable(probes: readonly TensorflowProbe[]): BltError {
  const why = probes.map((p) => p.detail).join('; ');
  return new BltError(
    'BACKEND_UNAVAILABLE',
    `Backend 'tensorflow' is unavailable: ${why}.`,
    'tfjs-node needs libtensorflow, whose download by its install script is refused since Aug 2026 ' +
      '(tensorflow/tfjs#8742); use --backend wasm (or BLT_BACKEND=wasm), the embedded default',
  );
}

/** Makes 'tensorflow' the active backend; BACKEND_UNAVAILABLE when setBackend fails. */
export async function activateTensorflow(probe: TensorflowProbe): Promise<void> {
  let ok: boolean;
  try {
    ok = await tf.setBackend('tensorflow');
  } catch (err) {
    throw tensorflowUnavailable([
      { ...probe, available: false, detail: `tf.setBackend('tensorflow') threw: ${firstLine(err)}` },
    ]);
  }
  if (!ok || tf.getBackend() !== 'tensorflow') {
    throw tensorflowUnavailable([
      { ...probe, available: false, detail: `tf.setBackend('tensorflow') returned false after loading ${probe.pkg}` },
    ]);
  }
}
