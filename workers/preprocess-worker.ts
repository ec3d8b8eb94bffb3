/**
 * piscina worker entry for `blt preprocess`: thin, the work is in src/preprocess/worker-task.ts.
 * No top-level await (piscina loads TS workers through require() under tsx).
 */
import { runPreprocessTask } from '../src/preprocess/worker-task.js';
import type { PreprocessResultMessage, PreprocessTaskMessage } from './protocol.js';

export default function preprocessWorker(task: PreprocessTaskMessage): Promise<PreprocessResultMessage> {
  return runPreprocessTask(task);
}
