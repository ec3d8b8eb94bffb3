/**
 * Columnar rows (Parquet via parquet-wasm, Arrow IPC) → documents. The text column is
 * chosen like the JSONL field (`text`, then `content`, or `textField`) and must hold utf8 or
 * binary values (plain, large, view or dictionary-encoded); its stored bytes are taken as
 * they are, without a decode/encode round trip. Id and language columns as in JSONL.
 */
import { DataType, type Data, type Field, type RecordBatch, type Vector } from 'apache-arrow';
import { badRecord, type IngestRecord } from '../raw-doc.js';
import { makeDoc } from './make-doc.js';
import type { ResolvedReadOptions } from './read-options.js';

export interface ColumnPlan {
  readonly text: string;
  readonly id: string | undefined;
  readonly lang: string | undefined;
}

/** The columns to read, or the reason the file cannot be read (a file-level BadRecord). */
export function planColumns(fields: readonly Field[], opts: ResolvedReadOptions): ColumnPlan | { error: string } {
  const byName = new Map(fields.map((f) => [f.name, f]));
  const text = opts.textFields.map((n) => byName.get(n)).find((f) => f !== undefined);
  if (text === undefined) {
    const names = opts.textFields.map((f) => `"${f}"`).join(' or ');
    return {
      error:
        `expected a text column ${names}, got ` +
        `columns ${JSON.stringify(fields.map((f) => f.name).slice(0, 20))}; name it with --text-field`,
    };
  }
  if (!isBytesType(text.type))
    return { error: `expected column "${text.name}" to hold utf8 or binary values, got ${String(text.type)}` };
  const id = opts.idFields.find((n) => byName.has(n));
  return { text: text.name, id, lang: byName.has(opts.langField) ? opts.langField : undefined };
}

function isBytesType(t: DataType): boolean {
  if (DataType.isDictionary(t)) return isBytesType(t.dictionary);
  return (
    DataType.isUtf8(t) ||
    DataType.isLargeUtf8(t) ||
    DataType.isBinary(t) ||
    DataType.isLargeBinary(t) ||
    DataType.isUtf8View(t) ||
    DataType.isBinaryView(t)
  );
}

/** Row accessors for one batch. */
export interface BatchRows {
  record(i: number, row: number, file: string): IngestRecord;
}

export function batchRows(batch: RecordBatch, plan: ColumnPlan, opts: ResolvedReadOptions): BatchRows {
  const textVec = batch.getChild(plan.text) as Vector;
  const text = bytesAccessor(textVec);
  const idVec = plan.id === undefined ? null : batch.getChild(plan.id);
  const langVec = plan.lang === undefined ? null : batch.getChild(plan.lang);
  return {
    record(i, row, file) {
      const at = { file, row };
      const bytes = text(i);
      if (bytes === null) return badRecord(at, `expected a value in text column "${plan.text}", got null`);
      const id = idVec ? scalarString(idVec.get(i)) : undefined;
      const lang = langVec ? scalarString(langVec.get(i)) : undefined;
      return makeDoc(opts, id ?? `${file}:${row}`, bytes, at, lang === '' ? undefined : lang);
    },
  };
}

/** i → a copy of the stored bytes of row i, or null for a null value. */
function bytesAccessor(vec: Vector): (i: number) => Uint8Array | null {
  const data = vec.data.length === 1 ? (vec.data[0] as Data) : undefined;
  const direct = data ? dataBytes(data) : undefined;
  if (direct) return direct;
  const encoder = new TextEncoder(); // generic path (views, chunked): arrow strings are valid UTF-8
  return (i) => {
    const v: unknown = vec.get(i);
    if (v === null || v === undefined) return null;
    return typeof v === 'string' ? encoder.encode(v) : new Uint8Array(v as Uint8Array);
  };
}

function dataBytes(data: Data): ((i: number) => Uint8Array | null) | undefined {
  const t = data.type;
  if (DataType.isDictionary(t)) {
    const dict = data.dictionary;
    const inner = dict && dict.data.length === 1 ? dataBytes(dict.data[0] as Data) : undefined;
    if (!inner) return undefined;
    const keys = data.values as ArrayLike<number | bigint>;
    return (i) => (data.getValid(i) ? inner(Number(keys[i])) : null);
  }
  if (!(DataType.isUtf8(t) || DataType.isLargeUtf8(t) || DataType.isBinary(t) || DataType.isLargeBinary(t)))
    return undefined;
  const offsets = data.valueOffsets as ArrayLike<number | bigint>;
  const values = data.values as Uint8Array;
  return (i) => (data.getValid(i) ? values.slice(Number(offsets[i]), Number(offsets[i + 1])) : null);
}

const idDecoder = new TextDecoder();

/** An id or language value as a string (numbers as JS prints them, nested values as JSON). */
function scalarString(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return idDecoder.decode(v);
  if (typeof v === 'object') return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
  return String(v);
}
