/**
 * Training checkpoints of both trainers (docs/reference.md §8.5 layout, our file names):
 *
 *   <out>/checkpoints/<step, 10 digits>/
 *     model.safetensors      weights (the trainer's names)
 *     optimizer.safetensors  AdamW moments: `m.<name>`, `v.<name>`
 *     train-state.json       the trainer's JSON state: { format, v: 1, step, config, data, loader, rng,
 *                            optimizer: {t}, progress }
 *
 * Each checkpoint directory is written under a temporary name and renamed into place
 * (src/core/atomic.ts), so a kill leaves either the previous checkpoints or the new one; only
 * the newest `keep` are kept. Temporary leftovers (names starting with '.') are ignored.
 */
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeDirAtomic } from '../../core/atomic.js';
import { BltError } from '../../core/errors.js';
import { rngStateCodec } from '../../core/rng.js';
import { defineState, type StateCodec } from '../../core/state.js';
import { decodeSafetensors, encodeSafetensors } from '../../entropy/model-format/safetensors.js';
import type { WeightArray } from '../../entropy/transformer/types.js';
import type { AdamWState } from './adamw.js';

/** A checkpoint's contents; `S` is the trainer's JSON state. */
export interface Checkpoint<S> {
  readonly state: S;
  readonly weights: Map<string, WeightArray>;
  readonly optimizer: AdamWState;
}

/** What any trainer's state must hold for the generic save/load below. */
export interface CheckpointState {
  readonly step: number;
  readonly optimizer: { readonly t: number };
}

/** The fields every train-state.json holds besides `format` and `v`. */
const STATE_FIELDS = ['step', 'config', 'data', 'loader', 'rng', 'optimizer', 'progress'] as const;

function checkpointName(step: number): string {
  return String(step).padStart(10, '0');
}

function checkpointsDir(outDir: string): string {
  return join(outDir, 'checkpoints');
}

/** Writes `<out>/checkpoints/<step>/` atomically, then prunes to the newest `keep`. Returns its path. */
export async function saveCheckpoint<S extends CheckpointState>(
  outDir: string,
  ckpt: Checkpoint<S>,
  keep: number,
): Promise<string> {
  const dir = join(checkpointsDir(outDir), checkpointName(ckpt.state.step));
  const moments = new Map<string, WeightArray>();
  for (const [name, w] of ckpt.weights) {
    moments.set(`m.${name}`, { shape: w.shape, data: ckpt.optimizer.m.get(name) as Float32Array });
    moments.set(`v.${name}`, { shape: w.shape, data: ckpt.optimizer.v.get(name) as Float32Array });
  }
  await writeDirAtomic(dir, async (tmp) => {
    await writeFile(join(tmp, 'model.safetensors'), encodeSafetensors(ckpt.weights));
    await writeFile(join(tmp, 'optimizer.safetensors'), encodeSafetensors(moments));
    await writeFile(join(tmp, 'train-state.json'), `${JSON.stringify(ckpt.state, null, 2)}\n`);
  });
  await pruneCheckpoints(outDir, keep);
  return dir;
}

/** Steps of the complete checkpoints under `<out>/checkpoints`, ascending. */
export async function listCheckpoints(outDir: string): Promise<number[]> {
  let names: string[];
  try {
    names = await readdir(checkpointsDir(outDir));
  } catch {
    return [];
  }
  return names
    .filter((n) => /^\d{10}$/.test(n))
    .map(Number)
    .sort((a, b) => a - b);
}

async function pruneCheckpoints(outDir: string, keep: number): Promise<void> {
  const steps = await listCheckpoints(outDir);
  for (const s of steps.slice(0, Math.max(0, steps.length - keep))) {
    await rm(join(checkpointsDir(outDir), checkpointName(s)), { recursive: true, force: true });
  }
}

/**
 * Loads the checkpoint of `step`, or the newest one: `parse(text, dir)` turns train-state.json into
 * the trainer's state (throwing STATE_FORMAT when it is not one). NOT_FOUND when there is no checkpoint.
 */
export async function loadCheckpointWith<S extends CheckpointState>(
  outDir: string,
  parse: (text: string, dir: string) => S,
  step?: number,
): Promise<Checkpoint<S>> {
  const steps = await listCheckpoints(outDir);
  const s = step ?? steps[steps.length - 1];
  if (s === undefined || !steps.includes(s)) {
    throw new BltError(
      'NOT_FOUND',
      `No checkpoint${step === undefined ? '' : ` for step ${step}`} under ${checkpointsDir(outDir)}.`,
      'run without --resume to start a new run, or point --out at the run to continue',
    );
  }
  const dir = join(checkpointsDir(outDir), checkpointName(s));
  const state = parse(await readFile(join(dir, 'train-state.json'), 'utf8'), dir);
  const weights = decodeSafetensors(
    await readFile(join(dir, 'model.safetensors')),
    join(dir, 'model.safetensors'),
  ).tensors;
  const opt = decodeSafetensors(
    await readFile(join(dir, 'optimizer.safetensors')),
    join(dir, 'optimizer.safetensors'),
  ).tensors;
  const m = new Map<string, Float32Array>();
  const v = new Map<string, Float32Array>();
  for (const [k, t] of opt) (k.startsWith('m.') ? m : v).set(k.slice(2), t.data);
  return { state, weights, optimizer: { t: state.optimizer.t, m, v } };
}

/** The codec of one trainer's train-state.json (src/core/state.ts; its tag keys are `format` and `v`). */
export function trainStateCodec<S>(format: string): StateCodec<S> {
  return defineState<S>({
    kind: format,
    version: 1,
    label: 'train state',
    fields: STATE_FIELDS,
    tagKeys: { kind: 'format', version: 'v' },
    hint: 'this checkpoint was written by another tool or version',
    check(r) {
      r.count('step');
      r.sub('optimizer').count('t');
      r.nested('rng', rngStateCodec);
      for (const k of ['config', 'data', 'loader', 'progress']) r.object(k); // the trainer checks these on resume
      return r.o as S;
    },
  });
}

/**
 * Parses a train-state.json with `codec` (STATE_FORMAT naming the file, the field and what is wrong).
 * `hints` gives the fix for a state of another known format (e.g. the other trainer's).
 */
export function parseTrainState<S>(
  text: string,
  dir: string,
  codec: StateCodec<S>,
  hints: Readonly<Record<string, string>> = {},
): S {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new BltError('STATE_FORMAT', `${dir}/train-state.json is not valid JSON (${(err as Error).message}).`);
  }
  try {
    return codec.decode(value, `${dir}/train-state.json`);
  } catch (err) {
    const format = (value as { format?: unknown } | null)?.format;
    const hint = typeof format === 'string' && Object.hasOwn(hints, format) ? hints[format] : undefined;
    if (err instanceof BltError && hint !== undefined) throw new BltError(err.code, err.message, hint);
    throw err;
  }
}
