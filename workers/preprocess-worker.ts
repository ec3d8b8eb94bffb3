/**
 * piscina worker entry for `blt preprocess`: thin, the work is in src/preprocess/worker-task.ts.
 * No top-level await (piscina loads TS workers through require() under tsx).
 */
import { move, transferableSymbol, valueSymbol } from 'piscina';
import { runPreprocessTask } from '../src/preprocess/worker-task.js';
import { resultTransferList, type PreprocessTaskMessage } from './protocol.js';

export default async function preprocessWorker(task: PreprocessTaskMessage): Promise<unknown> {
  const result = await runPreprocessTask(task);
  return move({
    get [transferableSymbol]() {
      return resultTransferList(result);
    },
    get [valueSymbol]() {
      return result;
    },
  } as unknown as ArrayBuffer);
}
