/**
 * Runs preprocessing tasks: in a piscina pool of `workers` threads (each loads the entropy
 * model once), or in this thread when workers = 0. Inputs go to workers by transfer; workers
 * stage the encoded task themselves and return a small summary.
 *
 * GPU design (not exercised here): the entropy stage is the only GPU-bound part. A GPU run
 * would use one device-owning worker (onnxruntime with the CUDA execution provider, large
 * batches) for `scorer.score`, and CPU workers for patching and hashing, which need only the
 * entropies: split `runPreprocessTask` into score → patchAndHash and route the first to the
 * GPU worker's queue. Results stay identical because patching is a pure function of entropies.
 */
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { runPreprocessTask, closeWorkerScorers } from './worker-task.js';
import type { PreprocessResultMessage, PreprocessTaskMessage } from '../../workers/protocol.js';

export interface TaskRunner {
  readonly workers: number;
  run(task: PreprocessTaskMessage): Promise<PreprocessResultMessage>;
  close(): Promise<void>;
}

/** The worker entry: dist/workers/preprocess-worker.js, or the tsx shim when running from sources. */
function workerFile(): string {
  const name = import.meta.url.endsWith('.ts') ? 'preprocess-worker-tsx.mjs' : 'preprocess-worker.js';
  return fileURLToPath(new URL(`../../workers/${name}`, import.meta.url));
}

export function createTaskRunner(workers: number): TaskRunner {
  if (workers === 0) {
    return { workers, run: runPreprocessTask, close: closeWorkerScorers };
  }
  const pool = new Piscina({ filename: workerFile(), minThreads: workers, maxThreads: workers, idleTimeout: 60_000 });
  return {
    workers,
    run: (task) =>
      pool.run(task, {
        transferList: [task.bytes.buffer as ArrayBuffer, task.offsets.buffer as ArrayBuffer],
      }) as Promise<PreprocessResultMessage>,
    close: () => pool.destroy(),
  };
}
