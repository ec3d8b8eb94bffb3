import { badOption } from './errors.js';

/** Validators for options: each throws a BAD_OPTION BltError naming the option. */
export function requireInt(name: string, v: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw badOption(name, `an integer in [${min}, ${max}]`, v);
  }
  return v;
}

export function requireFinite(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw badOption(name, 'a finite number', v);
  return v;
}

export function requirePositive(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw badOption(name, 'a finite number > 0', v);
  return v;
}

export function requireOneOf<T extends string>(name: string, v: unknown, allowed: readonly T[]): T {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw badOption(name, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`, v);
  }
  return v as T;
}
