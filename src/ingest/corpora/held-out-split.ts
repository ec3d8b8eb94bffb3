import { createHash } from 'node:crypto';
import { requireInt } from '../../core/validate.js';
import { badOption } from '../../core/errors.js';

/** How documents are split: a fraction of ids goes to the held-out side, chosen by a seeded hash. */
export interface SplitOptions {
  /** share of documents held out, in [0, 1] */
  readonly fraction: number;
  /** any integer; a different seed draws a different (independent) split */
  readonly seed: number;
}

/** The project's held-out split of udhr + brown: evaluation numbers and bundled samples use it. */
export const DEFAULT_HELD_OUT: SplitOptions = Object.freeze({ fraction: 0.1, seed: 0 });

/**
 * Whether the document with this id is held out: the first 4 bytes of
 * sha256(`blt-split:<seed>:<id>`) as an unsigned integer, divided by 2^32, is < fraction.
 * Stable across runs, platforms and corpus order; a document's side depends only on its id.
 */
export function isHeldOut(id: string, opts: SplitOptions): boolean {
  checkSplit(opts);
  const digest = createHash('sha256').update(`blt-split:${opts.seed}:${id}`).digest();
  return digest.readUInt32BE(0) / 2 ** 32 < opts.fraction;
}

/** docs → { train, heldOut }, each in input order; every document lands on exactly one side. */
export function splitHeldOut<T extends { readonly id: string }>(
  docs: Iterable<T>,
  opts: SplitOptions,
): { train: T[]; heldOut: T[] } {
  checkSplit(opts);
  const train: T[] = [];
  const heldOut: T[] = [];
  for (const doc of docs) (isHeldOut(doc.id, opts) ? heldOut : train).push(doc);
  return { train, heldOut };
}

function checkSplit(opts: SplitOptions): void {
  const f = opts.fraction;
  if (typeof f !== 'number' || !(f >= 0 && f <= 1)) throw badOption('fraction', 'a number in [0, 1]', f);
  requireInt('seed', opts.seed, Number.MIN_SAFE_INTEGER);
}
