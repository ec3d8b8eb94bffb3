/**
 * Learning-rate schedule: linear warmup then cosine decay to a floor (docs/reference.md §8.3,
 * `bytelatent/optim.py` lr_cosine with cycle_length 1, theta 1), with PyTorch LambdaLR
 * semantics: the update made at optimizer step `s` (0-based) uses `lr · factor(s)`, so the
 * very first update uses lr 0 when warmup > 0.
 */

export interface ScheduleConfig {
  /** Peak learning rate. */
  readonly lr: number;
  /** Warmup steps (linear from 0). */
  readonly warmup: number;
  /** Total optimizer steps (n_steps): the factor reaches minRatio at s = steps. */
  readonly steps: number;
  /** Floor of the factor, lr_min_ratio (reference 0.1). */
  readonly minRatio: number;
}

/**
 * factor(s) ∈ [0, 1]: s/warmup; then minRatio + ½(1−minRatio)(cos(πu)+1), u=(s−warmup)/(steps−warmup);
 * then minRatio.
 */
export function lrFactor(step: number, c: Omit<ScheduleConfig, 'lr'>): number {
  if (step < c.warmup) return step / c.warmup;
  if (step > c.steps) return c.minRatio;
  const span = c.steps - c.warmup;
  const u = span > 0 ? (step - c.warmup) / span : 1;
  return c.minRatio + 0.5 * (1 - c.minRatio) * (Math.cos(Math.PI * u) + 1);
}

/** The learning rate of the update made at optimizer step `step`. */
export function learningRate(step: number, c: ScheduleConfig): number {
  return c.lr * lrFactor(step, c);
}
