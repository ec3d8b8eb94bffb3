/**
 * AdamW (Loshchilov & Hutter; PyTorch `torch.optim.AdamW`, the reference's optimizer, docs/reference.md §8.3)
 * over a map of tf.Variables. tfjs has no AdamW, so this holds its own first/second moment
 * variables. One update at learning rate `lr` with gradient g, for every parameter p:
 *
 *   t  = t + 1
 *   p  = p · (1 − lr·wd)                                  // decoupled weight decay, all params
 *   m  = β1·m + (1−β1)·g
 *   v  = β2·v + (1−β2)·g²
 *   p  = p − (lr / (1−β1^t)) · m / (sqrt(v) / sqrt(1−β2^t) + ε)
 *
 * The moments and `t` are the optimizer state; getState/setState move them to and from plain
 * Float32Arrays for checkpoints.
 */
import * as tf from '@tensorflow/tfjs';
import { BltError } from '../../core/errors.js';

export interface AdamWConfig {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
}

export const ADAMW_DEFAULTS: AdamWConfig = { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1 };

/** The AdamW fields of a training config. */
export function adamwConfig(c: AdamWConfig): AdamWConfig {
  return { beta1: c.beta1, beta2: c.beta2, eps: c.eps, weightDecay: c.weightDecay };
}

/** Plain-data optimizer state: step count and, per parameter name, its two moments. */
export interface AdamWState {
  readonly t: number;
  readonly m: ReadonlyMap<string, Float32Array>;
  readonly v: ReadonlyMap<string, Float32Array>;
}

export class AdamW {
  readonly config: AdamWConfig;
  private t = 0;
  private readonly params: ReadonlyMap<string, tf.Variable>;
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();

  constructor(params: ReadonlyMap<string, tf.Variable>, config: AdamWConfig = ADAMW_DEFAULTS) {
    this.config = config;
    this.params = params;
    const zeroVariable = (p: tf.Variable): tf.Variable => {
      const z = tf.zerosLike(p);
      const v = tf.variable(z, false);
      z.dispose(); // the variable keeps its own reference to the data
      return v;
    };
    for (const [name, p] of params) {
      this.m.set(name, zeroVariable(p));
      this.v.set(name, zeroVariable(p));
    }
  }

  /** Number of updates applied so far. */
  get step(): number {
    return this.t;
  }

  /** Applies one update. `grads` has one tensor per parameter name (not disposed here). */
  apply(grads: ReadonlyMap<string, tf.Tensor>, lr: number): void {
    this.t += 1;
    const { beta1, beta2, eps, weightDecay } = this.config;
    const stepSize = lr / (1 - beta1 ** this.t);
    const sqrtBc2 = Math.sqrt(1 - beta2 ** this.t);
    const decay = 1 - lr * weightDecay;
    for (const [name, p] of this.params) {
      const g = grads.get(name);
      if (!g) throw new BltError('INTERNAL', `AdamW: no gradient for parameter ${name}.`);
      const m = this.m.get(name) as tf.Variable;
      const v = this.v.get(name) as tf.Variable;
      tf.tidy(() => {
        const m1 = tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1));
        const v1 = tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2));
        const denom = tf.add(tf.div(tf.sqrt(v1), sqrtBc2), eps);
        const p1 = tf.sub(tf.mul(p, decay), tf.mul(tf.div(m1, denom), stepSize));
        m.assign(m1);
        v.assign(v1);
        p.assign(p1);
      });
    }
  }

  /** Copies the state out (async reads; safe to call between steps). */
  async getState(): Promise<AdamWState> {
    const read = async (vars: Map<string, tf.Variable>): Promise<Map<string, Float32Array>> => {
      const out = new Map<string, Float32Array>();
      for (const [name, x] of vars) out.set(name, (await x.data()) as Float32Array);
      return out;
    };
    return { t: this.t, m: await read(this.m), v: await read(this.v) };
  }

  /** Restores a state produced by getState (same parameter names and sizes). */
  setState(state: AdamWState): void {
    const load = (vars: Map<string, tf.Variable>, from: ReadonlyMap<string, Float32Array>, which: string): void => {
      for (const [name, x] of vars) {
        const data = from.get(name);
        if (!data || data.length !== x.size) {
          throw new BltError(
            'STATE_FORMAT',
            `Optimizer state: expected ${which}[${name}] with ${x.size} values, got ${data ? data.length : 'none'}.`,
            'the checkpoint belongs to a model of another shape; resume with the same --config',
          );
        }
        tf.tidy(() => x.assign(tf.tensor(data, x.shape, 'float32')));
      }
    };
    load(this.m, state.m, 'm');
    load(this.v, state.v, 'v');
    this.t = state.t;
  }

  dispose(): void {
    for (const x of [...this.m.values(), ...this.v.values()]) x.dispose();
    this.m.clear();
    this.v.clear();
  }
}
