/**
 * `blt eval` / `blt generate --checkpoint <run-dir>`: the checkpoint loader's "no checkpoint"
 * error is phrased for resuming training (--resume, --out); for these commands it names
 * --checkpoint and says what a run directory is.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BltError } from '../core/errors.js';

export async function withRunDir<T>(flag: string, dir: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (!(err instanceof BltError) || err.code !== 'NOT_FOUND' || !/No checkpoint/.test(err.message)) throw err;
    const inside = existsSync(join(dir, 'train-state.json'));
    throw new BltError(
      'NOT_FOUND',
      `${flag} ${dir}: ${err.message.split('\n')[0]?.replace(/\.$/, '') ?? ''}.`,
      inside
        ? `${dir} is a checkpoint itself: pass its run directory (${dirname(dirname(dir))}), with --step to choose it`
        : 'pass the directory a `blt train --out <run>` wrote (it holds checkpoints/NNNNNNNNNN)',
    );
  }
}
