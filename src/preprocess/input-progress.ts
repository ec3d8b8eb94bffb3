/**
 * How far the reader is through the inputs, in input bytes on disk: the truth behind the
 * progress bar's total and ETA for every input kind (not only plain text files).
 *
 * position = Σ size of the files before the cursor's file + the part of that file consumed:
 * its byte offset for uncompressed line-based files (JSONL, text lines), rows read / rows in the
 * file for Parquet (row counts from the footer), nothing until the file is done otherwise
 * (compressed streams, whole text files, Arrow). Null total for stdin.
 */
import { openAsBlob } from 'node:fs';
import * as pw from 'parquet-wasm';
import type { IngestCursor, InputFile } from '../ingest/index.js';

export interface InputMeter {
  /** Σ input file sizes, null when an input is stdin */
  total: number | null;
  /** input bytes consumed at `cursor` */
  at(cursor: IngestCursor): number;
}

async function parquetRows(path: string): Promise<number | null> {
  try {
    const f = await pw.ParquetFile.fromFile(await openAsBlob(path));
    try {
      const meta = f.metadata();
      const fm = meta.fileMetadata();
      const rows = fm.numRows();
      fm.free();
      meta.free();
      return rows;
    } finally {
      f.free();
    }
  } catch {
    return null; // unreadable: the reader quarantines it; progress counts it when done
  }
}

export async function inputMeter(files: readonly InputFile[]): Promise<InputMeter> {
  const before: number[] = [];
  let sum = 0;
  for (const f of files) {
    before.push(sum);
    sum += f.size;
  }
  const rows = await Promise.all(
    files.map((f) => (f.kind === 'parquet' ? parquetRows(f.path) : Promise.resolve(null))),
  );
  const total = files.some((f) => f.kind === 'stdin') ? null : sum;
  return {
    total,
    at(c) {
      if (c.fileIndex >= files.length) return sum;
      const f = files[c.fileIndex] as InputFile;
      let within = 0;
      if (c.byteOffset !== undefined && f.compression === 'none') within = c.byteOffset;
      else if (c.row !== undefined && f.kind === 'parquet') {
        const n = rows[c.fileIndex];
        if (n) within = (f.size * c.row) / n;
      }
      return (before[c.fileIndex] as number) + Math.min(f.size, within);
    },
  };
}
