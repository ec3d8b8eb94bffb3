/** Text, id and language of one parsed JSON object, with the reference's fallbacks. */
import { describeValue } from '../../core/errors.js';
import type { ResolvedReadOptions } from './read-options.js';

export type TextPick = { ok: true; text: string } | { ok: false; reason: string };

/** The first of `opts.textFields` present (not undefined/null); it must be a string. */
export function pickText(rec: Record<string, unknown>, opts: ResolvedReadOptions): TextPick {
  const nulls: string[] = [];
  for (const f of opts.textFields) {
    const v = rec[f];
    if (v === null) nulls.push(f);
    if (v === undefined || v === null) continue;
    if (typeof v === 'string') return { ok: true, text: v };
    return { ok: false, reason: `expected field "${f}" to be a string, got ${describeValue(v)}` };
  }
  if (nulls.length > 0) {
    return {
      ok: false,
      reason:
        `expected field ${nulls.map((f) => `"${f}"`).join(' / ')} to be a string, got null (the record ` +
        `has no text)`,
    };
  }
  const keys = Object.keys(rec);
  const shown = JSON.stringify(keys.slice(0, 10)) + (keys.length > 10 ? ` and ${keys.length - 10} more` : '');
  const names = opts.textFields.map((f) => `"${f}"`).join(' or ');
  return {
    ok: false,
    reason: `expected a text field ${names}, got an object with keys ${shown}; name the field with --text-field`,
  };
}

/** The first of `opts.idFields` present (not undefined/null) as a string, else `fallback`. */
export function pickId(rec: Record<string, unknown>, opts: ResolvedReadOptions, fallback: string): string {
  for (const f of opts.idFields) {
    const v = rec[f];
    if (v === undefined || v === null) continue;
    return typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
  return fallback;
}

/** `opts.langField` when it holds a non-empty string. */
export function pickLang(rec: Record<string, unknown>, opts: ResolvedReadOptions): string | undefined {
  const v = rec[opts.langField];
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}
