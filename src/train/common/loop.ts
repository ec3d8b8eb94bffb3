/**
 * The training loop both trainers run, read top to bottom like nanoGPT's train.py:
 *
 *   while step < steps:
 *     lr = schedule(step)                   (warmup, then cosine to lr · minLrRatio)
 *     one optimizer step                    (the trainer's: batches → loss → grads → clip → AdamW)
 *     stop on a non-finite loss             (BAD_OPTION naming the step, lr and last checkpoint)
 *     after the step                        (the trainer's metrics line and hooks; false → stop)
 *     validate every evalEvery steps        (false → stop)
 *     stop requested?                       (AbortSignal, polled once per unfinished step)
 *     checkpoint every checkpointEvery steps, at the end and on a stop
 *
 * What a step is, what it logs and what a checkpoint holds are the trainer's (`LoopParts`); the
 * step count lives in the trainer's run state (`run.step`) so its checkpoint sees it.
 */
import { BltError } from '../../core/errors.js';
import { learningRate } from './schedule.js';

export interface LoopConfig {
  readonly steps: number;
  readonly lr: number;
  readonly warmup: number;
  readonly minLrRatio: number;
  readonly evalEvery: number;
  readonly checkpointEvery: number;
  readonly logEvery: number;
}

/** The numbers of one optimizer step. */
export interface StepOutcome {
  /** Loss of the step (nats per target). */
  readonly loss: number;
  readonly gradNorm: number;
  /** Targets (bytes) trained on by the step. */
  readonly bytes: number;
  /** Σ cross-entropy of those targets (nats). */
  readonly natsSum: number;
}

/** Training time, targets and Σ cross-entropy since the last logged step (this one included). */
export interface Interval {
  readonly ms: number;
  readonly bytes: number;
  readonly nats: number;
}

export interface StepReport<R extends StepOutcome> {
  /** Steps completed (this one included). */
  readonly step: number;
  readonly lr: number;
  /** Training time of this step. */
  readonly ms: number;
  /** True every logEvery steps and at the last step: write a metrics line. */
  readonly logged: boolean;
  readonly interval: Interval;
  /** Targets per second over the interval. */
  readonly bytesPerSecond: number;
  readonly result: R;
}

export interface LoopParts<R extends StepOutcome> {
  /** One optimizer step at learning rate `lr`. */
  readonly step: (lr: number) => Promise<R>;
  /** After a finite step (metrics, hooks); false asks for a stop. */
  readonly afterStep: (s: StepReport<R>) => Promise<boolean | void>;
  /** A periodic validation; false asks for a stop. */
  readonly validate: () => Promise<boolean | void>;
  /** Writes a checkpoint of the run as it is now; returns its path. */
  readonly checkpoint: () => Promise<string>;
  /** Polled after every step but the last: true stops (checkpoint, then return). */
  readonly stopRequested: () => boolean;
}

export interface LoopResult {
  readonly step: number;
  /** True when a stop ended the loop before `steps`. */
  readonly stopped: boolean;
  /** Losses of the steps run by this call, in order. */
  readonly losses: number[];
  readonly lastCheckpoint: string | null;
  /** Training-only time of this call (validation and checkpoints excluded), seconds. */
  readonly trainSeconds: number;
  /** Targets trained on per second of that time. */
  readonly bytesPerSecond: number;
}

const NO_INTERVAL: Interval = { ms: 0, bytes: 0, nats: 0 };

/** Runs steps from `run.step` to `cfg.steps` (or a stop); see the file comment. */
export async function runTrainingLoop<R extends StepOutcome>(
  cfg: LoopConfig,
  run: { step: number },
  parts: LoopParts<R>,
): Promise<LoopResult> {
  const schedule = { lr: cfg.lr, warmup: cfg.warmup, steps: cfg.steps, minRatio: cfg.minLrRatio };
  const losses: number[] = [];
  let lastCheckpoint: string | null = null;
  let trainMs = 0;
  let trainBytes = 0;
  let interval = NO_INTERVAL;
  let stopped = false;
  while (run.step < cfg.steps && !stopped) {
    const t0 = performance.now();
    const lr = learningRate(run.step, schedule);
    const result = await parts.step(lr);
    const ms = performance.now() - t0;
    if (!Number.isFinite(result.loss)) {
      throw new BltError(
        'BAD_OPTION',
        `Training diverged: the loss is ${result.loss} at step ${run.step + 1} (lr ${lr}).`,
        `lower --lr or --clip and resume from the last checkpoint (${lastCheckpoint ?? 'none yet'}) or start again`,
      );
    }
    run.step += 1;
    losses.push(result.loss);
    trainMs += ms;
    trainBytes += result.bytes;
    interval = { ms: interval.ms + ms, bytes: interval.bytes + result.bytes, nats: interval.nats + result.natsSum };
    const logged = run.step % cfg.logEvery === 0 || run.step === cfg.steps;
    const bytesPerSecond = interval.ms > 0 ? (interval.bytes * 1000) / interval.ms : 0;
    let stop = (await parts.afterStep({ step: run.step, lr, ms, logged, interval, bytesPerSecond, result })) === false;
    if (logged) interval = NO_INTERVAL;
    const evalDue = cfg.evalEvery > 0 && run.step % cfg.evalEvery === 0 && run.step < cfg.steps;
    if (evalDue && (await parts.validate()) === false) stop = true;
    stopped = run.step < cfg.steps && (stop || parts.stopRequested());
    const due = (cfg.checkpointEvery > 0 && run.step % cfg.checkpointEvery === 0) || run.step === cfg.steps || stopped;
    if (due) lastCheckpoint = await parts.checkpoint();
  }
  return {
    step: run.step,
    stopped,
    losses,
    lastCheckpoint,
    trainSeconds: trainMs / 1000,
    bytesPerSecond: trainMs > 0 ? (trainBytes * 1000) / trainMs : 0,
  };
}
