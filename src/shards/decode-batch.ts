/**
 * Arrow record batch → rows. Typed arrays in the rows are **views** (`subarray`) of the batch's
 * column buffers, not copies: holding one row keeps its batch's buffers alive, so copy
 * (`.slice()`) what you keep for long.
 */
import type * as arrow from 'apache-arrow';
import { BltError } from '../core/errors.js';
import type { ShardRow } from './row.js';
import { ngramColumnName, type ShardColumnsSpec } from './schema.js';

const decoder = new TextDecoder('utf-8');

function column(batch: arrow.RecordBatch, name: string): arrow.Data {
  const i = batch.schema.fields.findIndex((f) => f.name === name);
  const data = batch.data.children[i];
  if (i < 0 || !data)
    throw new BltError(
      'SHARD_FORMAT',
      `Expected column \`${name}\` in the shard batch, found ${batch.schema.fields.map((f) => f.name).join(', ')}.`,
    );
  return data;
}

/**
 * Row i of a variable-width column as [start, end) into its values (or child values).
 * apache-arrow slices a Data's offsets/values buffers themselves (`offset` only positions the
 * validity bitmap), so buffers are indexed from 0.
 */
function span(d: arrow.Data, i: number): [number, number] {
  const o = d.valueOffsets as Int32Array;
  return [o[i] as number, o[i + 1] as number];
}

function bytesAt(d: arrow.Data, i: number): Uint8Array {
  const [s, e] = span(d, i);
  return (d.values as Uint8Array).subarray(s, e);
}

function listAt<V extends Float32Array | Int32Array>(d: arrow.Data, i: number): V {
  const [s, e] = span(d, i);
  const child = d.children[0] as arrow.Data;
  return (child.values as V).subarray(s, e) as V;
}

/** Decodes every row of `batch`; only the columns named in `spec` (plus the core) are read. */
export function decodeBatch(batch: arrow.RecordBatch, spec: ShardColumnsSpec): ShardRow[] {
  const docId = column(batch, 'doc_id');
  const source = column(batch, 'source');
  const lang = column(batch, 'lang');
  const text = column(batch, 'text');
  const nTokens = column(batch, 'n_tokens');
  const entropies = spec.entropies ? column(batch, 'entropies') : undefined;
  const patchLengths = spec.patchLengths ? column(batch, 'patch_lengths') : undefined;
  const ngrams = spec.ngramTables.map((t) => column(batch, ngramColumnName(t)));
  const nTok = nTokens.values as Int32Array;
  const rows: ShardRow[] = [];
  for (let i = 0; i < batch.numRows; i++) {
    const row: ShardRow = {
      docId: decoder.decode(bytesAt(docId, i)),
      source: decoder.decode(bytesAt(source, i)),
      bytes: bytesAt(text, i),
      nTokens: nTok[i] as number,
    };
    if (lang.getValid(i)) row.lang = decoder.decode(bytesAt(lang, i));
    if (entropies) row.entropies = listAt<Float32Array>(entropies, i);
    if (patchLengths) row.patchLengths = listAt<Int32Array>(patchLengths, i);
    if (ngrams.length > 0) row.ngramIds = ngrams.map((d) => listAt<Int32Array>(d, i));
    rows.push(row);
  }
  return rows;
}
