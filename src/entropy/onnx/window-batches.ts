import { paddedLength, planWindows, type EntropyWindow } from '../transformer/windows.js';

/** One row of a model call: window `win` of document `doc`, run at padded length T. */
export interface WindowJob {
  readonly doc: number;
  readonly win: EntropyWindow;
  readonly T: number;
}

/**
 * The same plan as the tfjs computeEntropiesBatch: each document is cut by planWindows
 * (stride window/2), every window is run at paddedLength (multiple of 32, capped at window),
 * windows of equal padded length are grouped (longest first) into batches of ≤ batchSize rows.
 * A window's padded length depends only on the window, so its floats never depend on the
 * other rows of its batch.  docLengths [n_docs] → batches [n_batches][≤ batchSize].
 */
export function planWindowBatches(docLengths: readonly number[], window: number, batchSize: number): WindowJob[][] {
  const byT = new Map<number, WindowJob[]>();
  docLengths.forEach((n, doc) => {
    for (const win of planWindows(n, window)) {
      const T = paddedLength(win.length, window);
      const list = byT.get(T) ?? [];
      list.push({ doc, win, T });
      byT.set(T, list);
    }
  });
  const batches: WindowJob[][] = [];
  for (const T of [...byT.keys()].sort((a, b) => b - a)) {
    const jobs = byT.get(T) ?? [];
    for (let i = 0; i < jobs.length; i += batchSize) batches.push(jobs.slice(i, i + batchSize));
  }
  return batches;
}

/** Batch input ids [B*T]: each row is its window's tokens followed by zeros (BOE padding). */
export function packBatch(docs: readonly Int32Array[], jobs: readonly WindowJob[], T: number): Int32Array {
  const ids = new Int32Array(jobs.length * T);
  jobs.forEach((j, b) => {
    const d = docs[j.doc];
    if (d) ids.set(d.subarray(j.win.start, j.win.start + j.win.length), b * T);
  });
  return ids;
}

/** Copies each row's kept outputs (from keepFrom to the window's real length) into its document. */
export function scatterBatch(data: Float32Array, jobs: readonly WindowJob[], T: number, out: readonly Float32Array[]): void {
  jobs.forEach((j, b) => {
    const { start, length, keepFrom } = j.win;
    out[j.doc]?.set(data.subarray(b * T + keepFrom, b * T + length), start + keepFrom);
  });
}
