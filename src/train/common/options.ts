/**
 * One table per trainer of its numeric options: each row gives the default, the check, whether a
 * resume must match it, and the help line. From the table come the resolver (defaults filled in,
 * every value checked, BAD_OPTION naming the flag), the resume-difference check, the commander
 * flags with their help, and the flags' values read back (src/train/common/train-cli.ts).
 * The flag of a key is its kebab-case name: `batchSize` is `--batch-size`.
 */
import { badOption } from '../../core/errors.js';
import { requireFinite, requireInt, requirePositive } from '../../core/validate.js';

/** The numeric options both trainers have (each adds its own; see their config.ts). */
export interface CommonTrainConfig {
  /** Seeds the weights' init, the data order and every other random choice. */
  readonly seed: number;
  /** Optimizer steps (n_steps of the schedule). */
  readonly steps: number;
  /** Rows per step (entropy trainer) or per micro-batch (BLT). */
  readonly batchSize: number;
  /** Peak learning rate; the schedule warms up over `warmup` steps, then decays to lr · minLrRatio. */
  readonly lr: number;
  readonly minLrRatio: number;
  readonly warmup: number;
  /** AdamW. */
  readonly weightDecay: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  /** Max global gradient norm; 0 disables clipping. */
  readonly clip: number;
  /** Validate every N steps (and at the end); 0: only at the end. */
  readonly evalEvery: number;
  /** Checkpoint every N steps (and at the end / on a stop); 0: only then. */
  readonly checkpointEvery: number;
  /** Checkpoints kept (the newest N). */
  readonly keep: number;
  /** Metrics/progress line every N steps. */
  readonly logEvery: number;
  /** Share of documents held out for validation (by document, deterministic). */
  readonly valFraction: number;
}

/** What a row's default and check may depend on: the resolved step count and model. */
export interface OptionContext<M = unknown> {
  readonly steps: number;
  readonly model: M;
}

type Bound<M> = number | ((c: OptionContext<M>) => number);

/** A row's check: its help placeholder (`<n>` integers, `<x>` reals) and the function (BAD_OPTION naming `flag`). */
export interface Check<M = unknown> {
  readonly arg: '<n>' | '<x>';
  readonly fn: (flag: string, v: unknown, c: OptionContext<M>) => number;
}

export interface NumberOption<M = unknown> {
  readonly default: Bound<M>;
  readonly check: Check<M>;
  /** True when the value changes the numbers a run computes: a resume must match it exactly. */
  readonly resume: boolean;
  readonly help: string;
  /** False: settable through the API and --config only, no flag of its own. */
  readonly flag: boolean;
}

export type OptionTable<K extends string, M = unknown> = { readonly [k in K]: NumberOption<M> };

/** A table row; `resume` (default true) and `flag` (default true) as above. */
export function row<M = unknown>(
  dflt: Bound<M>,
  check: Check<M>,
  help: string,
  o: { resume?: boolean; flag?: boolean } = {},
): NumberOption<M> {
  return { default: dflt, check, help, resume: o.resume ?? true, flag: o.flag ?? true };
}

/** Rows a resume need not match (evaluation, checkpoint and log cadence). */
export const LOCAL = { resume: false } as const;

const bound = <M>(b: Bound<M>, c: OptionContext<M>): number => (typeof b === 'function' ? b(c) : b);

/** An integer in [min, max] (max may depend on the steps or the model). */
export function int<M = unknown>(min: number, max: Bound<M> = Number.MAX_SAFE_INTEGER): Check<M> {
  return { arg: '<n>', fn: (flag, v, c) => requireInt(flag, v, min, bound(max, c)) };
}

/** A finite number in [lo, hi]. */
export function range(lo: number, hi: number): Check {
  return {
    arg: '<x>',
    fn: (flag, v) => {
      const x = requireFinite(flag, v);
      if (x < lo || x > hi) throw badOption(flag, `a number in [${lo}, ${hi}]`, v);
      return x;
    },
  };
}

/** A finite number > 0. */
export const positive: Check = { arg: '<x>', fn: (flag, v) => requirePositive(flag, v) };

/** The default warmup of both trainers: 5% of the steps, at most 100. */
export const defaultWarmup = (c: OptionContext): number => Math.min(100, Math.floor(c.steps / 20));

/** The warmup row (its help differs between the trainers). */
export const warmupRow = (help: string): NumberOption =>
  row(
    defaultWarmup,
    int(0, (c) => c.steps),
    help,
  );

/** The rows both trainers share exactly. */
export const SHARED_ROWS = {
  steps: row(2000, int(1), 'optimizer steps (default 2000)'),
  minLrRatio: row(0.1, range(0, 1), 'cosine floor as a fraction of --lr (default 0.1)'),
  weightDecay: row(0.1, range(0, 1e3), 'AdamW decoupled weight decay (default 0.1)'),
  clip: row(1.0, range(0, 1e12), 'max global gradient norm, 0 = off (default 1)'),
  evalEvery: row(250, int(0), 'validate every N steps, 0 = only at the end (default 250)', LOCAL),
  checkpointEvery: row(250, int(0), 'checkpoint every N steps (default 250)', LOCAL),
  keep: row(3, int(1, 1e6), 'checkpoints to keep (default 3)', LOCAL),
} as const;

/** `batchSize` → `--batch-size`. */
export function flagOf(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** The table's defaults for the context (the values a run gets when it sets nothing). */
export function tableDefaults<K extends string, M>(table: OptionTable<K, M>, c: OptionContext<M>): Record<K, number> {
  const out = {} as Record<K, number>;
  for (const k of Object.keys(table) as K[]) out[k] = bound(table[k].default, c);
  return out;
}

/**
 * Every row's value from `input` (or its default), checked, in table order. `steps` is
 * resolved first (other rows' defaults and bounds depend on it); the model is already resolved.
 */
export function resolveTable<K extends string, M>(
  table: OptionTable<K | 'steps', M>,
  input: Readonly<Record<string, unknown>>,
  model: M,
): Record<K | 'steps', number> {
  const steps = table.steps.check.fn('--steps', input.steps ?? bound(table.steps.default, { steps: 0, model }), {
    steps: 0,
    model,
  });
  const c = { steps, model };
  const out = {} as Record<K | 'steps', number>;
  for (const k of Object.keys(table) as (K | 'steps')[]) {
    const r = table[k];
    const v = Object.hasOwn(input, k) ? input[k] : bound(r.default, c);
    out[k] = k === 'steps' ? steps : r.check.fn(flagOf(k), v, c);
  }
  return out;
}

/**
 * The keys a config input may have: `fixed` first, then the rows whose default is derived (from the
 * steps or the model), then the others (the order of the "known:" hint).
 */
export function knownKeys(table: OptionTable<string, never>, fixed: readonly string[]): Set<string> {
  const keys = Object.keys(table);
  const derived = (k: string): boolean => typeof table[k]?.default === 'function';
  return new Set([...fixed, ...keys.filter(derived), ...keys.filter((k) => !derived(k))]);
}

/** `name: saved → now` for every resume row that differs. */
export function tableDifferences<K extends string>(
  table: OptionTable<K, never>,
  saved: Readonly<Record<K, unknown>>,
  now: Readonly<Record<K, unknown>>,
): string[] {
  const out: string[] = [];
  for (const k of Object.keys(table) as K[]) {
    if (table[k].resume && saved[k] !== now[k]) out.push(`${k}: ${String(saved[k])} → ${String(now[k])}`);
  }
  return out;
}

/** `prefix.key: saved → now` (JSON) for every key of `saved` whose value differs in `now`. */
export function recordDifferences(prefix: string, saved: object, now: object): string[] {
  const out: string[] = [];
  const b = now as Record<string, unknown>;
  for (const [k, v] of Object.entries(saved)) {
    const w = b[k];
    const [was, is] = [JSON.stringify(v), JSON.stringify(w)];
    if (was !== is) out.push(`${prefix}${k}: ${was} → ${is}`);
  }
  return out;
}

/** A field of a config equal in both (JSON), else its `name: saved → now` line. */
export function valueDifference(name: string, saved: unknown, now: unknown): string[] {
  const [a, b] = [JSON.stringify(saved), JSON.stringify(now)];
  return a === b ? [] : [`${name}: ${a} → ${b}`];
}
