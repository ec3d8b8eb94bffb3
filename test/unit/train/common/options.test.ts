/** The numeric option tables: defaults (fixed and derived), checks naming the flag, resume differences. */
import assert from 'node:assert/strict';
import type { BltError } from '../../../../src/core/errors.js';
import { TRAIN_OPTIONS } from '../../../../src/entropy/train/config.js';
import {
  defaultWarmup,
  flagOf,
  int,
  knownKeys,
  LOCAL,
  positive,
  range,
  recordDifferences,
  resolveTable,
  row,
  tableDefaults,
  tableDifferences,
} from '../../../../src/train/common/options.js';
import { BLT_TRAIN_OPTIONS } from '../../../../src/train/trainer/config.js';

const TABLE = {
  steps: row(100, int(1), 'optimizer steps (default 100)'),
  warmup: row(
    defaultWarmup,
    int(0, (c) => c.steps),
    'warmup steps',
  ),
  lr: row(1e-3, positive, 'peak learning rate (default 1e-3)'),
  clip: row(1, range(0, 10), 'max norm (default 1)'),
  logEvery: row(10, int(1), 'log every N steps (default 10)', LOCAL),
};

describe('train common: option tables', () => {
  it('fills fixed and derived defaults, the derived ones from the resolved steps', () => {
    assert.deepEqual(resolveTable(TABLE, {}, null), { steps: 100, warmup: 5, lr: 1e-3, clip: 1, logEvery: 10 });
    assert.deepEqual(resolveTable(TABLE, { steps: 4000, lr: 0.5 }, null), {
      steps: 4000,
      warmup: 100,
      lr: 0.5,
      clip: 1,
      logEvery: 10,
    });
    assert.deepEqual(tableDefaults(TABLE, { steps: 40, model: null }).warmup, 2);
  });

  it('checks every value, naming its flag and the value received', () => {
    const bad = (input: Record<string, unknown>, re: RegExp): void =>
      assert.throws(
        () => resolveTable(TABLE, input, null),
        (e: BltError) => e.code === 'BAD_OPTION' && re.test(e.message),
      );
    bad({ steps: 0 }, /`--steps` to be an integer in \[1, /);
    bad({ steps: 10, warmup: 11 }, /`--warmup` to be an integer in \[0, 10\], got 11/);
    bad({ lr: -1 }, /`--lr` to be a finite number > 0, got -1/);
    bad({ clip: 11 }, /`--clip` to be a number in \[0, 10\], got 11/);
    bad({ logEvery: 1.5 }, /`--log-every` to be an integer/);
    bad({ lr: undefined }, /`--lr`/); // a key given is checked, even undefined
  });

  it('lists the differences a resume refuses (LOCAL rows excepted), and record fields by JSON', () => {
    const a = resolveTable(TABLE, {}, null);
    assert.deepEqual(tableDifferences(TABLE, a, { ...a, lr: 0.01, logEvery: 1 }), ['lr: 0.001 → 0.01']);
    assert.deepEqual(recordDifferences('model.', { dim: 8, ngram: [3, 4] }, { dim: 8, ngram: [3] }), [
      'model.ngram: [3,4] → [3]',
    ]);
  });

  it('gives each key its kebab-case flag; both trainers name every row, derived-default keys first in the hint', () => {
    assert.equal(flagOf('maxBytesPerRow'), '--max-bytes-per-row');
    assert.deepEqual([...knownKeys(TABLE, ['model'])], ['model', 'warmup', 'steps', 'lr', 'clip', 'logEvery']);
    for (const table of [TRAIN_OPTIONS, BLT_TRAIN_OPTIONS] as const) {
      for (const [k, r] of Object.entries(table)) {
        assert.ok(r.help.length > 0, k);
        const m = /\(default ([-0-9.e]+)\)$/.exec(r.help);
        if (m && typeof r.default === 'number') assert.equal(Number(m[1]), r.default, `${k}: help says ${m[1]}`);
      }
    }
  });
});
