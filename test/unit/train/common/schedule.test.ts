import assert from 'node:assert/strict';
import { learningRate, lrFactor } from '../../../../src/train/common/schedule.js';

describe('train common: lr schedule (docs/reference.md §8.3, LambdaLR semantics)', () => {
  const c = { lr: 4e-4, warmup: 500, steps: 100_000, minRatio: 0.1 };
  const close = (a: number, b: number): void => assert.ok(Math.abs(a - b) < 1e-12, `${a} vs ${b}`);

  it('step 0 uses lr 0 and warmup is linear', () => {
    assert.equal(learningRate(0, c), 0);
    close(learningRate(250, c), 2e-4);
    close(lrFactor(499, c), 499 / 500);
  });

  it('is the peak at the end of warmup, midway between peak and floor at the cosine midpoint', () => {
    close(lrFactor(500, c), 1);
    const mid = 500 + (100_000 - 500) / 2;
    close(lrFactor(mid, c), 0.1 + 0.5 * 0.9); // cos(pi/2) = 0
    close(learningRate(mid, c), 4e-4 * 0.55);
  });

  it('reaches min ratio at n_steps and stays there', () => {
    close(lrFactor(100_000, c), 0.1);
    close(lrFactor(150_000, c), 0.1);
  });

  it('without warmup starts at the peak; warmup == steps ends at the floor', () => {
    close(lrFactor(0, { warmup: 0, steps: 10, minRatio: 0.1 }), 1);
    close(lrFactor(10, { warmup: 10, steps: 10, minRatio: 0.2 }), 0.2);
  });
});
