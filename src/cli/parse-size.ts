import { badOption } from '../core/errors.js';

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

/**
 * A commander parser for a finite number option ("1.5", "2e-3"): an empty or non-numeric value is
 * a BAD_OPTION error naming `flag` and the text typed.
 */
export function numberArg(flag: string): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n)) throw badOption(flag, 'a number', v);
    return n;
  };
}

/** A commander parser for an integer option in [min, max], naming `flag` and the text typed. */
export function intArg(
  flag: string,
  min = -Number.MAX_SAFE_INTEGER,
  max = Number.MAX_SAFE_INTEGER,
): (v: string) => number {
  const range =
    max === Number.MAX_SAFE_INTEGER
      ? min === -Number.MAX_SAFE_INTEGER
        ? 'an integer'
        : `an integer >= ${min}`
      : `an integer in [${min}, ${max}]`;
  return (v) => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isInteger(n) || n < min || n > max) throw badOption(flag, range, v);
    return n;
  };
}
