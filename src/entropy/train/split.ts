/**
 * Held-out split by document for training: the project's split (src/ingest/corpora
 * `splitHeldOut`: a document is held out iff a seeded sha256 of its id falls below the fraction,
 * so its side depends only on its id), with the project's split seed (DEFAULT_HELD_OUT.seed),
 * which keeps held-out numbers of every run comparable with `blt entropy eval --held-out`.
 *
 * Small inputs: with fraction > 0 and ≥ 2 documents, if the hash holds out none, the last
 * document is held out; if it holds out all, the first is kept for training.
 */
import { DEFAULT_HELD_OUT, splitHeldOut } from '../../ingest/corpora/held-out-split.js';

export interface SplitDocs<T> {
  readonly train: T[];
  readonly val: T[];
}

export const SPLIT_SEED = DEFAULT_HELD_OUT.seed;

export function splitByDocument<T extends { readonly id: string }>(docs: readonly T[], fraction: number, seed = SPLIT_SEED): SplitDocs<T> {
  const { train, heldOut } = splitHeldOut(docs, { fraction, seed });
  if (fraction > 0 && docs.length >= 2) {
    if (heldOut.length === 0) heldOut.push(train.pop() as T);
    else if (train.length === 0) train.push(heldOut.shift() as T);
  }
  return { train, val: heldOut };
}
