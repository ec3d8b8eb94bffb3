/**
 * Canonical JSON, the one encoding of JSON data the project hashes and compares: object keys
 * sorted (by UTF-16 code units) at every level, no whitespace, numbers in JavaScript's shortest
 * round-trip form (1e-5 → 0.00001), undefined object fields left out. Non-JSON values (NaN,
 * Infinity, functions, class instances, undefined in an array) are refused with BAD_OPTION naming
 * their path, instead of being dropped or turned into null as JSON.stringify would: shard-set
 * fingerprints (src/shards/fingerprint.ts) and the entropy model fingerprint depend on this output.
 */
import { BltError } from './errors.js';

function canonical(v: unknown, path: string): string {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number') {
    if (!Number.isFinite(v))
      throw new BltError('BAD_OPTION', `Expected a finite number at ${path} of a fingerprint part, got ${v}.`);
    return JSON.stringify(v);
  }
  if (Array.isArray(v)) return `[${v.map((x, i) => canonical(x, `${path}[${i}]`)).join(',')}]`;
  if (typeof v === 'object' && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null)) {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonical(x, `${path}.${k}`)}`).join(',')}}`;
  }
  throw new BltError(
    'BAD_OPTION',
    `Expected JSON data (null, boolean, finite number, string, array, plain object) at ${path} of a ` +
      `fingerprint part, ` +
      `got ${typeof v === 'object' ? ((v as object).constructor?.name ?? 'an object') : typeof v}.`,
    'pass binary data as a separate Uint8Array part',
  );
}

/** Canonical JSON: sorted keys, no whitespace; rejects non-JSON values instead of dropping them. */
export function canonicalJson(value: unknown): string {
  return canonical(value, '$');
}
