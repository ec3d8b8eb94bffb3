/**
 * What a per-file reader gets: the file, the options, where to start, and a skip budget.
 *
 * Every reader walks its input in "record slots" (one per document or bad record it would
 * yield). For each slot it calls `take(ctx, position)`: when the skip budget is not spent, the
 * slot is skipped (cheaply: no parsing, no copying); otherwise the reader yields the record.
 * Both paths record the position after the slot, so counting is identical whether records
 * are skipped or read, and `getState()` is right after every record.
 */
import type { FilePosition } from './cursor.js';
import type { InputFile } from '../list-inputs.js';
import type { ResolvedReadOptions } from './read-options.js';

export interface SkipBudget {
  remaining: number;
}

export interface ReadContext {
  readonly file: InputFile;
  /** the name in ids, positions and messages: the path as listed, or `stdin` */
  readonly name: string;
  readonly opts: ResolvedReadOptions;
  readonly skip: SkipBudget;
  /** where to begin inside the file (from a cursor); `{}` is the beginning */
  readonly start: FilePosition;
  /** the position after the last slot consumed; `done` once the file has no more records */
  at: FilePosition | 'done';
  /** slots consumed (yielded or skipped) */
  consumed: number;
}

/** Marks one slot consumed at `after`; true when it is to be skipped rather than yielded. */
export function take(ctx: ReadContext, after: FilePosition | 'done'): boolean {
  ctx.at = after;
  ctx.consumed += 1;
  if (ctx.skip.remaining > 0) {
    ctx.skip.remaining -= 1;
    return true;
  }
  return false;
}

/** Marks `n` slots consumed at once (e.g. a whole Parquet row group) out of the skip budget. */
export function takeMany(ctx: ReadContext, n: number, after: FilePosition): void {
  ctx.at = after;
  ctx.consumed += n;
  ctx.skip.remaining -= n;
}

/** Opens the (decompressed) bytes of the current input from a stream offset on. */
export type OpenBytes = (offset: number) => AsyncIterable<Uint8Array>;
