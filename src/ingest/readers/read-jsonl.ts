/**
 * JSON lines → documents: one JSON object per line; blank lines (only spaces, tabs, CR) are
 * no records. Text comes from the first present of `textFields` (`text`, then `content`), id
 * from the first present of `idFields` (the reference's list) or `<file>:<line>`, language
 * from `langField`. Text is encoded as UTF-8 with unpaired surrogates dropped, as the
 * reference tokenizer does (`utf8EncodeIgnore`). Anything else becomes a BadRecord.
 */
import { describeValue } from '../../core/errors.js';
import { utf8EncodeIgnore, walkUtf8 } from '../../bytes/utf8.js';
import { badRecord, type IngestRecord } from '../raw-doc.js';
import { pickId, pickLang, pickText } from './json-fields.js';
import { makeDoc } from './make-doc.js';
import type { OpenBytes, ReadContext } from './read-context.js';
import { readLines, type LineHandler } from './read-lines.js';

const strict = new TextDecoder('utf-8', { fatal: true }); // a leading BOM is dropped, as JSON readers do
const lenient = new TextDecoder('utf-8');

export function readJsonl(open: OpenBytes, ctx: ReadContext): AsyncGenerator<IngestRecord> {
  return readLines(open, ctx, jsonlHandler);
}

const jsonlHandler: LineHandler = {
  isEmpty: isJsonBlank,
  toRecord(bytes, line, ctx) {
    const at = { file: ctx.name, line: line.line };
    let text: string;
    if (ctx.opts.invalidUtf8 === 'replace') text = lenient.decode(bytes);
    else {
      try {
        text = strict.decode(bytes);
      } catch {
        return badRecord(
          at,
          `expected UTF-8 text, got an invalid byte sequence at byte ${firstInvalidUtf8(bytes)} of the ` +
            `line; fix the encoding (e.g. iconv -f latin1 -t utf-8), or pass --invalid-utf8 replace (blt ` +
            `preprocess; read option invalidUtf8: 'replace') to decode it with U+FFFD`,
          bytes,
        );
      }
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      const hint = /^\s*[[{]\s*$/.test(text)
        ? '; this looks like pretty-printed JSON: write one object per line (e.g. `jq -c . in.json > out.jsonl`)'
        : '';
      return badRecord(
        at,
        `expected one JSON object per line, got invalid JSON (${(err as Error).message})${hint}`,
        text,
      );
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      return badRecord(at, `expected a JSON object, got ${describeValue(value)}`, text);
    const rec = value as Record<string, unknown>;
    const picked = pickText(rec, ctx.opts);
    if (!picked.ok) return badRecord(at, picked.reason, text);
    return makeDoc(
      ctx.opts,
      pickId(rec, ctx.opts, `${ctx.name}:${line.line}`),
      utf8EncodeIgnore(picked.text),
      at,
      pickLang(rec, ctx.opts),
    );
  },
};

/** Only JSON whitespace besides the newline: space, tab, CR. */
function isJsonBlank(bytes: Uint8Array): boolean {
  for (const b of bytes) if (b !== 0x20 && b !== 0x09 && b !== 0x0d) return false;
  return true;
}

function firstInvalidUtf8(bytes: Uint8Array): number {
  return walkUtf8(bytes, (_, len) => len !== 0);
}
