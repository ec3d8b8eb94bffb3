/**
 * Whole input files → `numPartitions` disjoint parts of about equal size, for job arrays
 * (Slurm `--array`, Kubernetes Indexed Jobs): job `i` calls `partitionFiles(files, n, i)`.
 *
 * Greedy "largest first": files sorted by weight (size + a per-file overhead, so that many
 * tiny files spread out too) descending, ties by list position; each goes to the partition
 * with the smallest total weight so far, ties to the lowest index. The plan depends only on
 * the list (paths in order and sizes), so every job computes the same plan without talking
 * to the others. A file is never split: one file larger than `total / n` makes its partition
 * the largest; split such files beforehand (e.g. `split -C 1G` for JSONL, smaller row groups
 * per file for Parquet) or use more, smaller inputs.
 */
import { BltError, badOption } from '../core/errors.js';
import type { InputFile } from './list-inputs.js';

/** Bytes added to every file's size when balancing: opening a file costs something too. */
export const PER_FILE_WEIGHT = 64 * 1024;

/** The partition index of every file (same order as `files`). */
export function partitionPlan(files: readonly Pick<InputFile, 'path' | 'size'>[], numPartitions: number): number[] {
  if (!Number.isSafeInteger(numPartitions) || numPartitions < 1)
    throw badOption('numPartitions', 'an integer ≥ 1', numPartitions);
  if (numPartitions > 1 && files.some((f) => f.path === '-')) {
    throw new BltError(
      'BAD_OPTION',
      'Expected files only when partitioning, got "-" (stdin), which cannot be shared between jobs.',
      'write stdin to a file first, or run a single partition',
    );
  }
  const order = files.map((f, i) => ({ i, w: Math.max(0, f.size) + PER_FILE_WEIGHT }));
  order.sort((a, b) => b.w - a.w || a.i - b.i);
  const totals = new Array<number>(numPartitions).fill(0);
  const plan = new Array<number>(files.length).fill(0);
  for (const { i, w } of order) {
    let best = 0;
    for (let p = 1; p < numPartitions; p++) if ((totals[p] as number) < (totals[best] as number)) best = p;
    plan[i] = best;
    totals[best] = (totals[best] as number) + w;
  }
  return plan;
}

/** The files of partition `partitionIndex` (0-based) of `numPartitions`, in their listed order. */
export function partitionFiles<F extends Pick<InputFile, 'path' | 'size'>>(
  files: readonly F[],
  numPartitions: number,
  partitionIndex: number,
): F[] {
  const plan = partitionPlan(files, numPartitions); // validates numPartitions first
  if (!Number.isSafeInteger(partitionIndex) || partitionIndex < 0 || partitionIndex >= numPartitions) {
    throw badOption(
      'partitionIndex',
      `an integer in [0, ${numPartitions - 1}] (0-based, e.g. $SLURM_ARRAY_TASK_ID - min)`,
      partitionIndex,
    );
  }
  return files.filter((_, i) => plan[i] === partitionIndex);
}
