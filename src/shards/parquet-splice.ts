/**
 * Parquet files assembled from pieces that parquet-wasm encoded separately, by moving column
 * chunks and rewriting the footer (FileMetaData, Thrift compact) — no re-encoding.
 *
 * - **Horizontally** (`ParquetAssembler`): single-column files of the same rows become one row
 *   group with all columns. A task is encoded column by column, so the wasm heap holds one
 *   column of one task at a time (a 60 MB document's n-gram column is 240 MB; all its columns
 *   together would not fit in parquet-wasm's 4 GiB heap).
 * - **Vertically** (`spliceParquetFiles`): the staged files of a shard's tasks (each one or more
 *   row groups) are concatenated into the shard file, streamed, with every row group kept as it
 *   was encoded in the worker.
 *
 * Offsets that move: RowGroup.file_offset (5), ColumnChunk.file_offset (2),
 * ColumnMetaData.data_page_offset (9), index_page_offset (10), dictionary_page_offset (11).
 * Page indexes (ColumnChunk fields 4–7) are dropped (they live outside the chunks; readers
 * treat them as optional); bloom filters are never written. RowGroup.ordinal (7) is renumbered.
 */
import { open } from 'node:fs/promises';
import { BltError } from '../core/errors.js';
import {
  decodeStruct,
  encodeStruct,
  field,
  i64Of,
  listOf,
  removeFields,
  setField,
  structOf,
  T,
  type ThriftStruct,
} from './thrift-compact.js';

const MAGIC = Uint8Array.of(0x50, 0x41, 0x52, 0x31); // PAR1

const bad = (what: string): never => {
  throw new BltError(
    'SHARD_FORMAT',
    `Parquet piece: ${what}.`,
    'this is a bug in the shard writer, or a staged file was damaged; delete the output directory and run again',
  );
};

/** The FileMetaData of a Parquet file held in memory. */
export function parquetFooter(file: Uint8Array): ThriftStruct {
  const n = file.length;
  if (n < 12 || !sameBytes(file.subarray(0, 4), MAGIC) || !sameBytes(file.subarray(n - 4), MAGIC))
    bad('missing PAR1 magic');
  const len = new DataView(file.buffer, file.byteOffset + n - 8, 4).getUint32(0, true);
  if (len + 12 > n) bad('footer length past the start of the file');
  return decodeStruct(file.subarray(n - 8 - len, n - 8));
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

const shift = (s: ThriftStruct, id: number, delta: bigint): void => {
  const v = i64Of(s, id);
  if (v !== undefined) setField(s, id, T.I64, v + delta);
};

/**
 * Moves one column chunk's metadata by `delta` bytes and drops its page-index pointers.
 * ColumnChunk.file_offset (deprecated; parquet-wasm writes 0) moves by `fileOffsetDelta`.
 */
function moveChunk(cc: ThriftStruct, delta: bigint, fileOffsetDelta = delta): void {
  shift(cc, 2, fileOffsetDelta);
  removeFields(cc, [4, 5, 6, 7]);
  const md = structOf(cc, 3);
  for (const id of [9, 10, 11]) shift(md, id, delta);
  if (field(md, 14) !== undefined) bad('bloom filters are not supported');
}

/** [start, end) of a column chunk's pages in its file. */
function chunkRange(cc: ThriftStruct): [number, number] {
  const md = structOf(cc, 3);
  const start = i64Of(md, 11) ?? i64Of(md, 9);
  const size = i64Of(md, 7);
  if (start === undefined || size === undefined)
    return bad('column chunk without data_page_offset or total_compressed_size');
  return [Number(start), Number(start + size)];
}

function footerBytes(meta: ThriftStruct): Uint8Array[] {
  const body = encodeStruct(meta);
  const len = new Uint8Array(4);
  new DataView(len.buffer).setUint32(0, body.length, true);
  return [body, len, MAGIC];
}

function withRowGroups(template: ThriftStruct, rowGroups: ThriftStruct[], numRows: bigint): ThriftStruct {
  const meta: ThriftStruct = { fields: template.fields.map((f) => ({ ...f })) };
  setField(meta, 3, T.I64, numRows);
  setField(meta, 4, T.LIST, { elemType: T.STRUCT, items: rowGroups });
  return meta;
}

/**
 * Builds one Parquet file from single-column, single-row-group files added one at a time, in
 * row group order then schema order, handing back the bytes to write after each: the caller
 * writes them and drops the column file, so memory holds one encoded column at a time.
 *
 *   const a = new ParquetAssembler(template);   // a.start() → the leading magic
 *   for (const group of groups) { for (const col of group) write(a.addColumn(encode(col))); a.endRowGroup(); }
 *   write(a.finish());                            // the footer
 */
export class ParquetAssembler {
  private pos = MAGIC.length;
  private readonly rowGroups: ThriftStruct[] = [];
  private columns: ThriftStruct[] = [];
  private groupStart = MAGIC.length;
  private groupRows: bigint | undefined;
  private groupBytes = 0n;
  private numRows = 0n;

  constructor(private readonly template: ThriftStruct) {}

  start(): Uint8Array[] {
    return [MAGIC];
  }

  /**
   * Adds the column chunk(s) of a single-row-group file to the current row group; returns the
   * bytes to write. Each chunk's file_offset moves as if the chunk had been the first of its
   * file, so a file of several columns gives the same bytes as one file per column.
   */
  addColumn(file: Uint8Array): Uint8Array[] {
    const meta = parquetFooter(file);
    const groups = listOf(meta, 4).items as ThriftStruct[];
    if (groups.length !== 1) bad(`expected one row group per column file, got ${groups.length}`);
    const rg = groups[0] as ThriftStruct;
    const rows = i64Of(rg, 3) ?? 0n;
    if (this.groupRows !== undefined && rows !== this.groupRows)
      bad(`column files of one row group hold ${this.groupRows} and ${rows} rows`);
    this.groupRows = rows;
    this.groupBytes += i64Of(rg, 2) ?? 0n;
    const out: Uint8Array[] = [];
    for (const cc of listOf(rg, 1).items as ThriftStruct[]) {
      const [s, e] = chunkRange(cc);
      moveChunk(cc, BigInt(this.pos - s), BigInt(this.pos - MAGIC.length));
      out.push(file.subarray(s, e));
      this.columns.push(cc);
      this.pos += e - s;
    }
    return out;
  }

  /**
   * Adds a column chunk whose pages the caller has just written, starting at the current
   * position (list-chunk.ts): `cc` has its offsets relative to the chunk's first byte.
   */
  addWrittenChunk(cc: ThriftStruct, bytes: number, rows: number): void {
    if (this.groupRows !== undefined && BigInt(rows) !== this.groupRows)
      bad(`column chunks of one row group hold ${this.groupRows} and ${rows} rows`);
    this.groupRows = BigInt(rows);
    this.groupBytes += BigInt(bytes);
    moveChunk(cc, BigInt(this.pos));
    this.columns.push(cc);
    this.pos += bytes;
  }

  endRowGroup(): void {
    const rowGroup: ThriftStruct = { fields: [] };
    setField(rowGroup, 1, T.LIST, { elemType: T.STRUCT, items: this.columns });
    setField(rowGroup, 2, T.I64, this.groupBytes);
    setField(rowGroup, 3, T.I64, this.groupRows ?? 0n);
    setField(rowGroup, 5, T.I64, BigInt(this.groupStart));
    setField(rowGroup, 6, T.I64, BigInt(this.pos - this.groupStart));
    setField(rowGroup, 7, T.I16, this.rowGroups.length);
    this.rowGroups.push(rowGroup);
    this.numRows += this.groupRows ?? 0n;
    this.columns = [];
    this.groupStart = this.pos;
    this.groupRows = undefined;
    this.groupBytes = 0n;
  }

  /** The footer: metadata, its length, the trailing magic. */
  finish(): Uint8Array[] {
    if (this.columns.length > 0) bad('finish() inside a row group');
    return footerBytes(withRowGroups(this.template, this.rowGroups, this.numRows));
  }
}

const READ_CHUNK = 4 << 20;

/**
 * Parquet files written by a ParquetAssembler (data contiguous from byte 4 to the footer) →
 * one Parquet file holding all their row groups in order, streamed (4 MiB reads).
 */
export async function* spliceParquetFiles(paths: readonly string[]): AsyncGenerator<Uint8Array> {
  yield MAGIC;
  let pos = MAGIC.length;
  const rowGroups: ThriftStruct[] = [];
  let template: ThriftStruct | undefined;
  let numRows = 0n;
  for (const path of paths) {
    const fh = await open(path, 'r');
    try {
      const size = (await fh.stat()).size;
      const tail = new Uint8Array(8);
      await fh.read(tail, 0, 8, size - 8);
      const len = new DataView(tail.buffer).getUint32(0, true);
      if (!sameBytes(tail.subarray(4), MAGIC) || len + 12 > size) bad(`${path} is not a complete Parquet file`);
      const footer = new Uint8Array(len);
      await fh.read(footer, 0, len, size - 8 - len);
      const meta = decodeStruct(footer);
      template ??= meta;
      const dataEnd = size - 8 - len;
      const delta = BigInt(pos - MAGIC.length);
      for (const rg of listOf(meta, 4).items as ThriftStruct[]) {
        shift(rg, 5, delta);
        for (const cc of listOf(rg, 1).items as ThriftStruct[]) moveChunk(cc, delta);
        setField(rg, 7, T.I16, rowGroups.length);
        rowGroups.push(rg);
        numRows += i64Of(rg, 3) ?? 0n;
      }
      for (let at = MAGIC.length; at < dataEnd;) {
        const n = Math.min(READ_CHUNK, dataEnd - at);
        const buf = new Uint8Array(n);
        const { bytesRead } = await fh.read(buf, 0, n, at);
        if (bytesRead !== n) bad(`${path} ended early`);
        yield buf;
        at += n;
      }
      pos += dataEnd - MAGIC.length;
    } finally {
      await fh.close();
    }
  }
  if (!template) bad('no files to splice');
  yield* footerBytes(withRowGroups(template as ThriftStruct, rowGroups, numRows));
}
