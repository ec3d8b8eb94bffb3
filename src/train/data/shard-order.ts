/**
 * The order in which an epoch reads the shards: a pure function of (seed, epoch, shard count),
 * so a source state only needs the epoch and a position in it (style lesson 8).
 */
import { Rng } from '../../core/rng.js';

/** A 32-bit seed for (seed, epoch): murmur3's finaliser over both, so epochs differ. */
function epochSeed(seed: number, epoch: number): number {
  let h = (seed ^ Math.imul(epoch + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** n shards → order [n]: 0..n−1, or a permutation drawn from Rng.fromSeed(epochSeed(seed, epoch)). */
export function epochShardOrder(seed: number, epoch: number, n: number, shuffle: boolean): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  return shuffle ? Rng.fromSeed(epochSeed(seed, epoch)).shuffle(order) : order;
}
