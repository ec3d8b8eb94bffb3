/**
 * The one numeric parser of the CLI and the HTTP service: text typed on a command line or in a
 * query string (`parseNumber`, sizes with units, integer lists) and typed JSON values
 * (`checkNumber`). Every failure is a BAD_OPTION error naming the flag or field and the value
 * received, as `Expected \`--workers\` to be an integer in [0, 256], got "x" (string).`
 */
import { badOption } from '../core/errors.js';

/** The accepted numbers: integers or finite numbers, optionally bounded; `expected` words the message. */
export interface NumberSpec {
  integer?: boolean;
  /** the least value accepted (inclusive) */
  min?: number;
  /** the largest value accepted (inclusive) */
  max?: number;
  /** the message's "to be …" (default: from the spec, e.g. "an integer >= 1") */
  expected?: string;
}

/** "an integer", "an integer >= 1", "an integer in [0, 256]", "a number", "a number >= 0". */
export function describeNumber(s: NumberSpec): string {
  if (s.expected !== undefined) return s.expected;
  const what = s.integer === true ? 'an integer' : 'a number';
  if (s.max !== undefined) return `${what} in [${s.min ?? -Number.MAX_SAFE_INTEGER}, ${s.max}]`;
  return s.min === undefined ? what : `${what} >= ${s.min}`;
}

function accepts(n: number, s: NumberSpec): boolean {
  if (!Number.isFinite(n) || (s.integer === true && !Number.isInteger(n))) return false;
  return (s.min === undefined || n >= s.min) && (s.max === undefined || n <= s.max);
}

/** A typed value (JSON, a library option) → the number, or BAD_OPTION naming `name` and the value. */
export function checkNumber(name: string, v: unknown, s: NumberSpec): number {
  if (typeof v !== 'number' || !accepts(v, s)) throw badOption(name, describeNumber(s), v);
  return v;
}

/** Typed text ("1.5", "2e-3", " 7 ") → the number; empty or non-numeric text is refused. */
export function parseNumber(name: string, text: unknown, s: NumberSpec = {}): number {
  const n = typeof text === 'string' && text.trim() !== '' ? Number(text) : NaN;
  if (!accepts(n, s)) throw badOption(name, describeNumber(s), text);
  return n;
}

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1e3,
  kb: 1e3,
  kib: 2 ** 10,
  m: 1e6,
  mb: 1e6,
  mib: 2 ** 20,
  g: 1e9,
  gb: 1e9,
  gib: 2 ** 30,
};

/** "128MB", "64MiB", "1e6", "500k" → bytes (integer, at least `min`). */
export function parseSize(name: string, v: string, min = 1): number {
  const m = /^\s*([0-9]*\.?[0-9]+(?:e[0-9]+)?)\s*([a-z]*)\s*$/i.exec(v);
  const unit = UNITS[(m?.[2] ?? '').toLowerCase()];
  if (!m || unit === undefined) throw badOption(name, 'a size such as 128MB, 64MiB or 1000000', v);
  const bytes = Math.round(Number(m[1]) * unit);
  if (bytes < min || !Number.isSafeInteger(bytes))
    throw badOption(name, `a size of at least ${min} byte${min === 1 ? '' : 's'}`, v);
  return bytes;
}

/** "3,4,5" → [3, 4, 5] */
export function parseIntList(name: string, v: string): number[] {
  const parts = v.split(',').map((s) => Number(s.trim()));
  if (parts.length === 0 || parts.some((n) => !Number.isInteger(n)))
    throw badOption(name, 'a comma-separated list of integers such as 3,4,5,6,7,8', v);
  return parts;
}

/** A commander parser for a finite number option, naming `flag` and the text typed. */
export function numberArg(flag: string, s: NumberSpec = {}): (v: string) => number {
  return (v) => parseNumber(flag, v, s);
}

/** A commander parser for an integer option in [min, max], naming `flag` and the text typed. */
export function intArg(flag: string, min?: number, max?: number): (v: string) => number {
  const s: NumberSpec = { integer: true, ...(min === undefined ? {} : { min }), ...(max === undefined ? {} : { max }) };
  return (v) => parseNumber(flag, v, s);
}

/** A commander parser for a size option ("128MB"), at least `min` bytes. */
export function sizeArg(flag: string, min = 1): (v: string) => number {
  return (v) => parseSize(flag, v, min);
}
