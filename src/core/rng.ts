/**
 * Seedable PRNG (sfc32) whose whole state is four uint32s, so it can live in a resumable
 * JSON state. Every random choice on the data and training paths goes through it.
 */
import { defineState, type Stateful } from './state.js';

export interface RngState {
  kind: 'sfc32';
  v: 1;
  s: [number, number, number, number];
}

/** The RNG's state codec (src/core/state.ts): `{ kind: 'sfc32', v: 1, s: [4 uint32] }`. */
export const rngStateCodec = defineState<RngState, Rng>(
  {
    kind: 'sfc32',
    version: 1,
    label: 'RNG state',
    fields: ['s'],
    check(r) {
      const s = r.array('s');
      const ok =
        s.length === 4 && s.every((n) => typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 0xffffffff);
      if (!ok) r.expected('s', '4 uint32s');
      return { kind: 'sfc32', v: 1, s: s as RngState['s'] };
    },
  },
  (state) => Rng.fromState(state),
);

export class Rng implements Stateful<RngState> {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  private constructor(s: readonly [number, number, number, number]) {
    [this.a, this.b, this.c, this.d] = s;
  }

  /** A generator seeded from an integer (splitmix32 expands the seed; 12 rounds discarded). */
  static fromSeed(seed: number): Rng {
    let x = seed >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    const rng = new Rng([next(), next(), next(), next()]);
    for (let i = 0; i < 12; i++) rng.nextUint32();
    return rng;
  }

  /** The generator at `state` (checked: STATE_FORMAT when it is not an sfc32 state). */
  static fromState(state: RngState): Rng {
    return new Rng(rngStateCodec.decode(state).s);
  }

  getState(): RngState {
    return { kind: 'sfc32', v: 1, s: [this.a >>> 0, this.b >>> 0, this.c >>> 0, this.d >>> 0] };
  }

  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1) with 32 bits of randomness. */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal (Box–Muller; one value per call). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** In-place Fisher–Yates shuffle. */
  shuffle<T>(xs: T[]): T[] {
    for (let i = xs.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [xs[i], xs[j]] = [xs[j] as T, xs[i] as T];
    }
    return xs;
  }
}
