import { badOption } from '../core/errors.js';

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1e3, kb: 1e3, kib: 2 ** 10, m: 1e6, mb: 1e6, mib: 2 ** 20, g: 1e9, gb: 1e9, gib: 2 ** 30 };

/** "128MB", "64MiB", "1e6", "500k" → bytes (integer). */
export function parseSize(name: string, v: string): number {
  const m = /^\s*([0-9]*\.?[0-9]+(?:e[0-9]+)?)\s*([a-z]*)\s*$/i.exec(v);
  const unit = UNITS[(m?.[2] ?? '').toLowerCase()];
  if (!m || unit === undefined) throw badOption(name, 'a size such as 128MB, 64MiB or 1000000', v);
  return Math.round(Number(m[1]) * unit);
}

/** "3,4,5" → [3, 4, 5] */
export function parseIntList(name: string, v: string): number[] {
  const parts = v.split(',').map((s) => Number(s.trim()));
  if (parts.length === 0 || parts.some((n) => !Number.isInteger(n))) throw badOption(name, 'a comma-separated list of integers such as 3,4,5,6,7,8', v);
  return parts;
}

/** A finite number option ("1.5", "2e-3"); an empty or non-numeric value is a BAD_OPTION error. */
export function parseNumber(v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw badOption('a number option', 'a finite number', v);
  return n;
}
