/**
 * The shared training loop on a tiny model (least squares y = w·x + b with AdamW): a run stopped by
 * an AbortSignal, checkpointed to disk and resumed gives bit for bit the losses and weights of one
 * uninterrupted run; the cadence of logs, validations and checkpoints; stop requests; divergence.
 */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../../../src/backend/select-backend.js';
import type { BltError } from '../../../../src/core/errors.js';
import { Rng, type RngState } from '../../../../src/core/rng.js';
import { AdamW } from '../../../../src/train/common/adamw.js';
import { loadCheckpointWith, parseTrainState, trainStateCodec } from '../../../../src/train/common/checkpoint.js';
import { accumulateClipped, lossAndNamedGrads } from '../../../../src/train/common/grads.js';
import {
  runTrainingLoop,
  type LoopConfig,
  type LoopParts,
  type StepOutcome,
} from '../../../../src/train/common/loop.js';
import { MetricsLog } from '../../../../src/train/common/metrics.js';
import { checkpointRun, type RunState, type TrainRun } from '../../../../src/train/common/run.js';

const CFG: LoopConfig = {
  steps: 8,
  lr: 0.05,
  warmup: 2,
  minLrRatio: 0.1,
  evalEvery: 3,
  checkpointEvery: 0,
  logEvery: 2,
};
const FORMAT = 'loop-test-state';

/** A seeded stream of batches: x ~ U(-1, 1), y = 3x − 1; the state is the Rng's. */
class Batches {
  private constructor(private readonly rng: Rng) {}
  static create(seed: number): Batches {
    return new Batches(Rng.fromSeed(seed));
  }
  static fromState(s: RngState): Batches {
    return new Batches(Rng.fromState(s));
  }
  getState(): RngState {
    return this.rng.getState();
  }
  next(): { x: number[]; y: number[] } {
    const x = Array.from({ length: 4 }, () => this.rng.next() * 2 - 1);
    return { x, y: x.map((v) => 3 * v - 1) };
  }
}

type Run = TrainRun<{ seen: number }, RngState> & { readonly weights: Map<string, tf.Variable>; loader: Batches };
type State = RunState<typeof FORMAT, LoopConfig, { name: string }, RngState, { seen: number }>;
const STATE = trainStateCodec<State>(FORMAT);

function weightsOf(w: number, b: number): Map<string, tf.Variable> {
  return new Map([
    ['w', tf.variable(tf.tensor1d([w]), true)],
    ['b', tf.variable(tf.tensor1d([b]), true)],
  ]);
}

async function openRun(out: string, resume: boolean): Promise<Run> {
  if (!resume) {
    const weights = weightsOf(0.5, 0);
    const rng = Rng.fromSeed(7);
    const metrics = await MetricsLog.create(out);
    return {
      weights,
      opt: new AdamW(weights),
      loader: Batches.create(1),
      rng,
      metrics,
      step: 0,
      progress: { seen: 0 },
    };
  }
  const ckpt = await loadCheckpointWith(out, (t, d) => parseTrainState(t, d, STATE));
  const at = (k: string): number => ckpt.weights.get(k)?.data[0] as number;
  const weights = weightsOf(at('w'), at('b'));
  const opt = new AdamW(weights);
  opt.setState(ckpt.optimizer);
  const s = ckpt.state;
  const metrics = await MetricsLog.resume(out, s.step);
  const loader = Batches.fromState(s.loader);
  return { weights, opt, loader, rng: Rng.fromState(s.rng), metrics, step: s.step, progress: s.progress };
}

function parts(run: Run, out: string, log: string[], signal?: AbortSignal): LoopParts<StepOutcome> {
  return {
    step: async (lr) => {
      const { x, y } = run.loader.next();
      const w = run.weights.get('w') as tf.Variable;
      const b = run.weights.get('b') as tf.Variable;
      const { loss, grads } = lossAndNamedGrads(run.weights, () =>
        tf.tidy(() => tf.mean(tf.square(tf.sub(tf.add(tf.mul(tf.tensor1d(x), w), b), tf.tensor1d(y)))) as tf.Scalar),
      );
      const clipped = accumulateClipped(null, grads, 1);
      run.opt.apply(clipped.grads, lr);
      const value = (await loss.data())[0] as number;
      const gradNorm = (await clipped.norm.data())[0] as number;
      tf.dispose([loss, clipped.norm, ...clipped.grads.values()]);
      return { loss: value, gradNorm, bytes: x.length, natsSum: value * x.length };
    },
    afterStep: async (s) => {
      run.progress = { seen: run.progress.seen + s.result.bytes };
      if (s.logged) log.push(`log ${s.step} ${s.interval.bytes}`);
    },
    validate: async () => void log.push(`eval ${run.step}`),
    checkpoint: async () => {
      log.push(`ckpt ${run.step}`);
      const weights = new Map(
        [...run.weights].map(([k, v]) => [k, { shape: [...v.shape], data: v.dataSync() as Float32Array }]),
      );
      return checkpointRun(out, run, { format: FORMAT, config: CFG, data: { name: 'tiny' } }, weights, 2);
    },
    stopRequested: () => signal?.aborted === true,
  };
}

async function weightValues(run: Run): Promise<number[]> {
  return [
    ...(await (run.weights.get('w') as tf.Variable).data()),
    ...(await (run.weights.get('b') as tf.Variable).data()),
  ];
}

function closeRun(run: Run): void {
  run.opt.dispose();
  tf.dispose([...run.weights.values()]);
}

describe('train common: the training loop', () => {
  let root: string;
  before(async () => {
    await initBackend('wasm');
    root = await mkdtemp(join(tmpdir(), 'blt-loop-'));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('a run aborted at step k and resumed from its checkpoint equals one uninterrupted run, bit for bit', async () => {
    const fullDir = join(root, 'full');
    const full = await openRun(fullDir, false);
    const fullLog: string[] = [];
    const whole = await runTrainingLoop(CFG, full, parts(full, fullDir, fullLog));
    const fullWeights = await weightValues(full);
    closeRun(full);
    assert.equal(whole.stopped, false);
    assert.equal(whole.losses.length, 8);
    assert.ok(whole.losses.every((l) => Number.isFinite(l) && l > 0));
    assert.deepEqual(fullLog, ['log 2 8', 'eval 3', 'log 4 8', 'log 6 8', 'eval 6', 'log 8 8', 'ckpt 8']);
    for (const k of [1, 3, 5]) {
      const out = join(root, `split-${k}`);
      const ac = new AbortController();
      const first = await openRun(out, false);
      const p = parts(first, out, []);
      const a = await runTrainingLoop(CFG, first, {
        ...p,
        afterStep: async (s) => {
          await p.afterStep(s);
          if (s.step === k) ac.abort();
        },
        stopRequested: () => ac.signal.aborted,
      });
      closeRun(first);
      assert.equal(a.stopped, true);
      assert.equal(a.step, k);
      assert.deepEqual(await readdir(join(out, 'checkpoints')), [String(k).padStart(10, '0')]);
      const second = await openRun(out, true);
      assert.equal(second.step, k);
      const b = await runTrainingLoop(CFG, second, parts(second, out, []));
      assert.equal(b.stopped, false);
      assert.deepEqual([...a.losses, ...b.losses], whole.losses, `k=${k}`);
      assert.deepEqual(await weightValues(second), fullWeights);
      assert.equal(second.progress.seen, 32);
      closeRun(second);
    }
  });

  it('stops when afterStep or validate says so, never polls for a stop after the last step', async () => {
    const out = join(root, 'hooks');
    const run = await openRun(out, false);
    const p = parts(run, out, []);
    let polls = 0;
    const r = await runTrainingLoop(CFG, run, { ...p, validate: async () => run.step < 6, stopRequested: () => false });
    assert.deepEqual([r.step, r.stopped], [6, true]);
    const rest = await runTrainingLoop(CFG, run, {
      ...p,
      stopRequested: () => {
        polls += 1;
        return false;
      },
    });
    assert.deepEqual([rest.step, rest.stopped, polls], [8, false, 1], 'polled after step 7 only');
    const done = await runTrainingLoop(CFG, run, p);
    assert.deepEqual([done.losses.length, done.lastCheckpoint], [0, null], 'a finished run runs no step');
    closeRun(run);
  });

  it('refuses a non-finite loss, naming the step, the lr and the last checkpoint', async () => {
    const out = join(root, 'nan');
    const run = await openRun(out, false);
    const p = parts(run, out, []);
    let n = 0;
    await assert.rejects(
      runTrainingLoop({ ...CFG, checkpointEvery: 1 }, run, {
        ...p,
        step: async (lr) => ((n += 1) === 3 ? { loss: NaN, gradNorm: 0, bytes: 4, natsSum: NaN } : p.step(lr)),
      }),
      (e: BltError) =>
        e.code === 'BAD_OPTION' &&
        /diverged: the loss is NaN at step 3/.test(e.message) &&
        /0000000002/.test(e.hint ?? ''),
    );
    closeRun(run);
  });
});
