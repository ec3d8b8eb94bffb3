/**
 * The command-line side of both trainers (`blt entropy train`, `blt train`): the flags of a
 * trainer's option table (src/train/common/options.ts) and of its model-size table, the
 * `--config` JSON reader, and SIGINT/SIGTERM as an AbortSignal.
 */
import { CommanderError, type Command } from 'commander';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BltError, badOption } from '../core/errors.js';
import { numberArg } from '../options/numeric.js';
import { flagOf, type OptionTable } from '../train/common/options.js';
import type { ProgressReporter } from './progress.js';

export type Opts = Record<string, string | number | boolean | string[] | undefined>;

/** A model-size flag: `--dim-local <n>` sets every field in `fields`. */
export interface ModelFlag {
  readonly flag: string;
  readonly help: string;
  readonly fields: readonly string[];
}

/** commander's attribute name of a flag: `--ffn-dim <n>` → `ffnDim`. */
const attribute = (flag: string): string =>
  (flag.split(' ')[0] as string).replace(/^--/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** The flags both commands list last in their help (the seed and the held-out share). */
const LISTED_LAST = ['seed', 'valFraction'];

/** One flag per table row (rows with `flag: false` excepted), parsed as numbers; help in table order. */
export function addTableFlags(cmd: Command, table: OptionTable<string, never>): Command {
  const keys = Object.keys(table);
  for (const key of [...keys.filter((k) => !LISTED_LAST.includes(k)), ...LISTED_LAST.filter((k) => k in table)]) {
    const row = table[key] as OptionTable<string, never>[string];
    if (row.flag) cmd.option(`${flagOf(key)} ${row.check.arg}`, row.help, numberArg(flagOf(key)));
  }
  return cmd;
}

/** The table's flags that were typed, keyed like the config (the resolver checks the ranges). */
export function tableFlagValues(o: Opts, table: OptionTable<string, never>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key of Object.keys(table)) if (typeof o[key] === 'number') out[key] = o[key];
  return out;
}

export function addModelFlags(cmd: Command, flags: readonly ModelFlag[]): Command {
  for (const f of flags) cmd.option(f.flag, f.help, numberArg(f.flag.split(' ')[0] as string));
  return cmd;
}

/** `model` with the typed model-size flags set on top. */
export function withModelFlags(o: Opts, flags: readonly ModelFlag[], model: Record<string, unknown>): void {
  for (const f of flags) {
    const v = o[attribute(f.flag)];
    if (typeof v === 'number') for (const field of f.fields) model[field] = v;
  }
}

/**
 * `--config`: inline JSON (starts with `{`), a JSON file, or (with `directories`) a directory whose
 * config.json is read. `example` is the inline JSON the hint shows.
 */
export function readJsonConfig(
  spec: string | undefined,
  example: string,
  directories = false,
): Record<string, unknown> {
  if (spec === undefined) return {};
  let text = spec;
  if (!spec.trimStart().startsWith('{')) {
    try {
      text = readFileSync(directories && statSync(spec).isDirectory() ? join(spec, 'config.json') : spec, 'utf8');
    } catch (err) {
      throw new BltError(
        'NOT_FOUND',
        `--config: cannot read ${spec} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`,
        `pass a JSON file or inline JSON like '${example}'`,
      );
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw badOption('--config', 'a JSON object (file or inline)', spec, (err as Error).message);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw badOption('--config', 'a JSON object', parsed);
  return parsed as Record<string, unknown>;
}

export interface SignalStop {
  /** Aborted by the first SIGINT/SIGTERM (the trainer finishes its step, checkpoints and returns). */
  readonly signal: AbortSignal;
  /** The exit code of the signal received (130 SIGINT, 143 SIGTERM), or null. */
  readonly code: () => number | null;
  readonly release: () => void;
}

/** SIGINT/SIGTERM → an aborted signal; a second signal exits at once. */
export function stopOnSignals(progress: () => ProgressReporter): SignalStop {
  const ac = new AbortController();
  let code: number | null = null;
  const handler = (signal: NodeJS.Signals): void => {
    const c = signal === 'SIGINT' ? 130 : 143;
    if (code !== null) process.exit(c);
    code = c;
    progress().log(`${signal}: finishing this step, writing a checkpoint, then exiting (send it again to abort now)`);
    ac.abort();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: ac.signal,
    code: () => code,
    release: () => void (process.off('SIGINT', handler), process.off('SIGTERM', handler)),
  };
}

/** A number for the terminal: `d` decimals, `n/a` when there is none. */
export const fmt = (x: number | null | undefined, d = 4): string =>
  x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : x.toFixed(d);

/** The progress side of a trainer's hooks: step bars/lines, validation and checkpoint messages. */
export function progressHooks(progress: () => ProgressReporter, finalLabel: string) {
  return {
    step: (s: { step: number; loss: number; bytesPerSecond: number; logged: boolean }, bpb: number): void => {
      const fields = { loss: s.loss, bpb, 'B/s': Math.round(s.bytesPerSecond) };
      if (s.logged) progress().report(s.step, fields);
      else progress().tick(s.step, fields);
    },
    onEval: (e: { step: number; valBpb: number; bytes: number; final: boolean }): void =>
      progress().log(
        `step ${e.step}: ${e.final ? finalLabel : 'validation'} ${fmt(e.valBpb)} bits/byte on ${e.bytes} bytes`,
      ),
    onCheckpoint: (path: string): void => progress().log(`checkpoint ${path}`),
  };
}

/** After a stopped run: the resume hint on stderr, then exit with the signal's code (130 by default). */
export function exitStopped(how: string, step: number, checkpoint: string | null, code: number | null): never {
  process.stderr.write(
    `${how} at step ${step}; checkpoint ${checkpoint}; continue with the same command plus --resume\n`,
  );
  throw new CommanderError(code ?? 130, 'blt.interrupted', 'interrupted');
}
