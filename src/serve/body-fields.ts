/**
 * Validation of JSON request bodies field by field, with messages that name the field, what was
 * expected and what arrived. Unknown fields are refused (a typo must not be silently ignored).
 */
import { BltError, badOption, describeValue } from '../core/errors.js';
import { checkNumber } from '../options/numeric.js';
import { bodyValue, type OptionDef } from '../options/option-def.js';

export type JsonObject = Record<string, unknown>;

/** The body (or a nested value) as a plain object; `where` names it in messages. */
export function expectObject(v: unknown, where: string): JsonObject {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    throw new BltError('BAD_INPUT', `Expected ${where} to be a JSON object, got ${describeValue(v)}.`);
  }
  return v as JsonObject;
}

/** Refuses fields outside `known`, naming them and listing what is accepted. */
export function rejectUnknown(o: JsonObject, known: readonly string[], where: string): void {
  const unknown = Object.keys(o).filter((k) => !known.includes(k));
  if (unknown.length > 0) {
    throw new BltError(
      'BAD_OPTION',
      `Unknown ${unknown.length === 1 ? 'field' : 'fields'} ${unknown.map((k) => `\`${k}\``).join(', ')} in ${where}.`,
      `accepted fields: ${known.join(', ')}`,
    );
  }
}

/** The fields of `defs` a body gives, each checked (absent ones left out); `max` narrows integer fields. */
export function parseBody(
  o: JsonObject,
  defs: readonly OptionDef[],
  max: Readonly<Record<string, number>> = {},
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const d of defs) {
    if (d.body === false) continue;
    const v = bodyValue(o, d, max[d.key]);
    if (v !== undefined) out[d.key] = v;
  }
  return out;
}

export function optBool(o: JsonObject, k: string): boolean | undefined {
  const v = o[k];
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') throw badOption(k, 'true or false', v);
  return v;
}

export function optInt(o: JsonObject, k: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const v = o[k];
  return v === undefined ? undefined : checkNumber(k, v, { integer: true, min, max });
}

export function optString(o: JsonObject, k: string): string | undefined {
  const v = o[k];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v === '') throw badOption(k, 'a non-empty string', v);
  if (v.includes('\0')) throw badOption(k, 'a string without NUL characters', v);
  return v;
}

export function optStringArray(o: JsonObject, k: string): string[] | undefined {
  const v = o[k];
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.length === 0 || v.some((x) => typeof x !== 'string' || x === '' || x.includes('\0'))) {
    throw badOption(k, 'a non-empty array of non-empty strings', v);
  }
  return v as string[];
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=?)?$/;

/** Standard base64 (RFC 4648 §4, padding optional) → bytes; anything else is refused, not skipped. */
export function decodeBase64(k: string, v: unknown): Uint8Array {
  if (typeof v !== 'string') throw badOption(k, 'a base64 string', v);
  if (!BASE64.test(v)) throw badOption(k, 'standard base64 (A-Z a-z 0-9 + /, optional = padding, no spaces)', v);
  const b = Buffer.from(v, 'base64');
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}
