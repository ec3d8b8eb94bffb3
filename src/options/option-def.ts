/**
 * One declaration per option: its field name (the stored config's and the HTTP body's), its CLI
 * flag and help, its values and its default. From it come the commander options (`cliOption`),
 * the values a command received (`cliValues`), the JSON body check (`bodyValue`) and the library
 * check of a resolved config (`configValue`), each with the project's BAD_OPTION messages
 * naming the flag or field and the value received.
 */
import { Option, type Command } from 'commander';
import { badOption } from '../core/errors.js';
import { checkNumber, intArg, numberArg, parseIntList, sizeArg } from './numeric.js';

/** The values an option takes. `size`: bytes, typed with units on the command line ("64MiB"). */
export type ValueSpec =
  | { readonly kind: 'number'; readonly positive?: boolean }
  | { readonly kind: 'int'; readonly min: number; readonly max?: number }
  | { readonly kind: 'size'; readonly min: number; readonly max?: number }
  | { readonly kind: 'enum'; readonly values: readonly string[] }
  | { readonly kind: 'bool' }
  | { readonly kind: 'string' }
  | { readonly kind: 'intList'; readonly min: number; readonly max: number };

export interface OptionDef {
  /** the field of the options object, the stored config and the HTTP body */
  readonly key: string;
  readonly value: ValueSpec;
  /** the CLI flags (`--threshold <nats>`); none: not a flag */
  readonly flags?: string;
  readonly help?: string;
  /** the default filled in when resolving (also shown in --help unless `helpDefault` is false) */
  readonly default?: unknown;
  readonly helpDefault?: false;
  /** the CLI's default where it differs from the field's (a value before `fromCli`) */
  readonly cliDefault?: unknown;
  /** the CLI's values where they differ from the field's (`--patch-size` takes integers only) */
  readonly cli?: ValueSpec;
  /** CLI value → field value (`--invalid-utf8 quarantine` is `bad-record`) */
  readonly fromCli?: (v: unknown) => unknown;
  /** the one patching mode the option applies to (a CLI flag for another mode is refused) */
  readonly onlyMode?: string;
  /** false: not accepted in HTTP bodies */
  readonly body?: false;
}

/** The TypeScript type of an option's value. */
export type ValueOf<V extends ValueSpec> = V extends { kind: 'number' | 'int' | 'size' }
  ? number
  : V extends { kind: 'bool' }
    ? boolean
    : V extends { kind: 'string' }
      ? string
      : V extends { kind: 'intList' }
        ? number[]
        : V extends { kind: 'enum'; values: readonly (infer E)[] }
          ? E
          : never;

/** The options object of a list of declarations: every field optional. */
export type OptionValues<D extends readonly OptionDef[]> = {
  -readonly [X in D[number] as X['key']]?: ValueOf<X['value']>;
};

/** The declaration of `key` in `defs` (a typo is a bug). */
export function defOf(defs: readonly OptionDef[], key: string): OptionDef {
  const d = defs.find((x) => x.key === key);
  if (d === undefined) throw new Error(`no option ${key}`);
  return d;
}

/** The long flag (`--threshold`) of a declaration. */
export function longFlag(d: OptionDef): string {
  const f = /--[a-z0-9-]+/.exec(d.flags ?? '')?.[0];
  if (f === undefined) throw new Error(`option ${d.key} has no flag`);
  return f;
}

function cliParser(spec: ValueSpec, flag: string): ((v: string) => unknown) | undefined {
  switch (spec.kind) {
    case 'number':
      return numberArg(flag);
    case 'int':
      return intArg(flag, spec.min, spec.max);
    case 'size':
      return sizeArg(flag, spec.min);
    case 'intList':
      return (v) => parseIntList(flag, v);
    default:
      return undefined;
  }
}

/** The commander option of a declaration; `help` replaces the declared help (a command's own words). */
export function cliOption(d: OptionDef, help?: string): Option {
  const o = new Option(d.flags ?? longFlag(d), help ?? d.help ?? '');
  const spec = d.cli ?? d.value;
  const parse = cliParser(spec, longFlag(d));
  if (parse) o.argParser(parse);
  if (spec.kind === 'enum') o.choices(spec.values);
  const def = d.cliDefault ?? d.default;
  if (def !== undefined && d.helpDefault !== false && spec.kind !== 'bool') o.default(def);
  return o;
}

/** Adds the flags of `defs` to a command, in order; `help` gives a command's own words for some. */
export function addOptions(cmd: Command, defs: readonly OptionDef[], help: Record<string, string> = {}): Command {
  for (const d of defs) if (d.flags !== undefined) cmd.addOption(cliOption(d, help[d.key]));
  return cmd;
}

/** The commander attribute of a declaration's flag (`--no-ngram-ids` → ngramIds). */
function attributeOf(d: OptionDef): string {
  return new Option(d.flags ?? longFlag(d)).attributeName();
}

/** The fields a command's flags set (absent flags left out), with `fromCli` applied. */
export function cliValues(opts: object, defs: readonly OptionDef[]): Record<string, unknown> {
  const got = opts as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const d of defs) {
    if (d.flags === undefined) continue;
    const v = got[attributeOf(d)];
    if (v !== undefined) out[d.key] = d.fromCli ? d.fromCli(v) : v;
  }
  return out;
}

function checkTyped(key: string, v: unknown, spec: ValueSpec, quote: string): unknown {
  switch (spec.kind) {
    case 'number':
      checkNumber(key, v, { expected: 'a finite number' });
      return spec.positive === true
        ? checkNumber(key, v, { min: Number.MIN_VALUE, expected: 'a finite number > 0' })
        : v;
    case 'int':
    case 'size':
      return checkNumber(key, v, { integer: true, min: spec.min, max: spec.max ?? Number.MAX_SAFE_INTEGER });
    case 'enum':
      if (typeof v !== 'string' || !spec.values.includes(v))
        throw badOption(key, `one of ${spec.values.map((a) => `${quote}${a}${quote}`).join(', ')}`, v);
      return v;
    case 'bool':
      if (typeof v !== 'boolean') throw badOption(key, 'true or false', v);
      return v;
    case 'string':
      if (typeof v !== 'string' || v === '') throw badOption(key, 'a non-empty string', v);
      if (v.includes('\0')) throw badOption(key, 'a string without NUL characters', v);
      return v;
    case 'intList':
      if (
        !Array.isArray(v) ||
        v.length === 0 ||
        v.some((x) => typeof x !== 'number' || !Number.isInteger(x) || x < spec.min || x > spec.max)
      ) {
        throw badOption(key, `a non-empty array of integers in [${spec.min}, ${spec.max}], such as [3, 4, 5]`, v);
      }
      return v;
  }
}

/** The fields of `defs` an HTTP body may set, in order. */
export function bodyKeys(defs: readonly OptionDef[]): string[] {
  return defs.filter((d) => d.body !== false).map((d) => d.key);
}

/** A JSON body's field checked against its declaration (undefined when absent); `max` narrows an int. */
export function bodyValue(o: Record<string, unknown>, d: OptionDef, max?: number): unknown {
  const v = o[d.key];
  if (v === undefined) return undefined;
  const spec = max !== undefined && d.value.kind === 'int' ? { ...d.value, max } : d.value;
  return checkTyped(d.key, v, spec, '"');
}

/** The field of a resolved config: the value (else the declared default), checked as the library does. */
export function configValue<T>(d: OptionDef, v: unknown, fallback: unknown = d.default): T {
  const x = v === undefined ? fallback : v;
  const spec = d.value;
  if (spec.kind === 'number' && spec.positive === true)
    return checkNumber(d.key, x, { min: Number.MIN_VALUE, expected: 'a finite number > 0' }) as T;
  return checkTyped(d.key, x, spec, "'") as T;
}

/** One declaration: `opt('rowGroupRows', int(1), '--row-group-rows <n>', 'rows per row group', { default: 1e4 })`. */
export function opt<const K extends string, const V extends ValueSpec, const X extends Partial<OptionDef> = object>(
  key: K,
  value: V,
  flags?: string,
  help?: string,
  extra?: X,
): { key: K; value: V } & X {
  const named = { ...(flags === undefined ? {} : { flags }), ...(help === undefined ? {} : { help }) };
  return { key, value, ...named, ...extra } as { key: K; value: V } & X;
}

export const num = (positive?: true): ValueSpec & { kind: 'number' } =>
  positive ? { kind: 'number', positive } : { kind: 'number' };
export const int = (min: number, max?: number): ValueSpec & { kind: 'int' } =>
  max === undefined ? { kind: 'int', min } : { kind: 'int', min, max };
export const size = (min: number, max?: number): ValueSpec & { kind: 'size' } =>
  max === undefined ? { kind: 'size', min } : { kind: 'size', min, max };
export const bool = { kind: 'bool' } as const;
export const str = { kind: 'string' } as const;
export const oneOf = <const E extends readonly string[]>(values: E): { kind: 'enum'; values: E } => ({
  kind: 'enum',
  values,
});
