import { Rng } from '../core/rng.js';

/** FNV-1a 32-bit hash of a string's UTF-16 code units. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * n samples of N(0, std²) truncated to ±3std (rejection), from the project Rng seeded with
 * (seed, name): a tensor's initial values depend only on the model seed and the tensor's name.
 */
export function truncNormal(n: number, std: number, seed: number, name: string): Float32Array {
  const rng = Rng.fromSeed((Math.imul(seed | 0, 0x9e3779b1) ^ fnv1a(name)) >>> 0);
  const out = new Float32Array(n);
  for (let i = 0; i < n;) {
    const z = rng.normal();
    if (Math.abs(z) <= 3) out[i++] = z * std;
  }
  return out;
}
