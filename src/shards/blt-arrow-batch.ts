/**
 * Record batches of the reference trainer's Arrow schema (`preprocess_entropies.py`), built by
 * `blt export --format blt-arrow` (export-blt-arrow.ts).
 */
import * as arrow from 'apache-arrow';

/** The reference's Arrow schema (`preprocess_entropies.py`): pyarrow's list child is `item`, nullable. */
function bltArrowSchema(): arrow.Schema {
  return new arrow.Schema([
    new arrow.Field('sample_id', new arrow.Utf8(), false),
    new arrow.Field('text', new arrow.Utf8(), false),
    new arrow.Field('entropies', new arrow.List(new arrow.Field('item', new arrow.Float16(), true)), false),
  ]);
}

export interface ExportRow {
  id: Uint8Array;
  text: Uint8Array;
  entropies: Uint16Array;
}

function offsets(parts: readonly { length: number }[]): Int32Array {
  const o = new Int32Array(parts.length + 1);
  parts.forEach((p, i) => (o[i + 1] = (o[i] as number) + p.length));
  return o;
}

function concat<T extends Uint8Array | Uint16Array>(make: (n: number) => T, parts: readonly T[], o: Int32Array): T {
  const out = make(o[o.length - 1] as number);
  parts.forEach((p, i) => out.set(p, o[i] as number));
  return out;
}

/** One record batch of the reference schema from rows (the float16 bits are handed over raw). */
export function bltArrowBatch(rows: readonly ExportRow[]): arrow.RecordBatch {
  const schema = bltArrowSchema();
  const n = rows.length;
  const idOff = offsets(rows.map((r) => r.id));
  const textOff = offsets(rows.map((r) => r.text));
  const entOff = offsets(rows.map((r) => r.entropies));
  const listType = schema.fields[2]?.type as arrow.List<arrow.Float16>;
  const child = arrow.makeData({
    type: listType.children[0]?.type as arrow.Float16,
    length: entOff[n] as number,
    nullCount: 0,
    data: concat(
      (k) => new Uint16Array(k),
      rows.map((r) => r.entropies),
      entOff,
    ),
  });
  const children = [
    arrow.makeData({
      type: new arrow.Utf8(),
      length: n,
      nullCount: 0,
      valueOffsets: idOff,
      data: concat(
        (k) => new Uint8Array(k),
        rows.map((r) => r.id),
        idOff,
      ),
    }),
    arrow.makeData({
      type: new arrow.Utf8(),
      length: n,
      nullCount: 0,
      valueOffsets: textOff,
      data: concat(
        (k) => new Uint8Array(k),
        rows.map((r) => r.text),
        textOff,
      ),
    }),
    arrow.makeData({ type: listType, length: n, nullCount: 0, valueOffsets: entOff, child }),
  ];
  return new arrow.RecordBatch(
    schema,
    arrow.makeData({ type: new arrow.Struct(schema.fields), length: n, nullCount: 0, children }),
  );
}
