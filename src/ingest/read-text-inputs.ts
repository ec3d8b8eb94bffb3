/**
 * A simple input reader for `blt entropy train/eval` until the full ingest readers exist:
 * paths (files or directories) → documents as raw bytes.
 *
 * - `.jsonl` / `.json` files: one JSON object per line (blank lines skipped). Text from
 *   `textField` if given, else `text`, else `content` (the reference's preprocess_entropies);
 *   id from the first present of `sample_id, title, qid, paper_id, path, url, id`, else
 *   `<file>:<line>`. Text is encoded as UTF-8 with unpaired surrogates dropped (as Python's
 *   `errors="ignore"` in the reference tokenizer).
 * - any other file: raw bytes as-is (invalid UTF-8 kept); one document per file (id = path),
 *   or with `linesAsDocs` one per non-empty line (split on `\n`, a trailing `\r` dropped;
 *   id = `<file>:<line>`, 1-based).
 * - directories: every file below, recursively, in sorted path order; names starting with
 *   `.` are skipped.
 * Errors: NOT_FOUND for a missing path, BAD_INPUT naming `<file>:<line>` for bad JSON lines.
 */
import { createReadStream, type Dirent } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { BltError, describeValue } from '../core/errors.js';
import { parseJson } from '../core/parse-json.js';
import { utf8EncodeIgnore } from '../bytes/utf8.js';

export interface TextDoc {
  readonly id: string;
  /** the file the document came from */
  readonly source: string;
  readonly bytes: Uint8Array;
}

export interface ReadTextOptions {
  /** JSONL field holding the text; default: `text`, then `content` */
  readonly textField?: string;
  /** plain-text files: one document per line instead of per file */
  readonly linesAsDocs?: boolean;
}

const ID_KEYS = ['sample_id', 'title', 'qid', 'paper_id', 'path', 'url', 'id'] as const;
const JSON_EXTENSIONS = new Set(['.jsonl', '.json']);

export async function* readTextInputs(paths: readonly string[], opts: ReadTextOptions = {}): AsyncIterable<TextDoc> {
  if (!Array.isArray(paths))
    throw new BltError('BAD_OPTION', `Expected \`paths\` to be an array of strings, got ${describeValue(paths)}.`);
  for (const path of paths) {
    for (const file of await listInputFiles(path)) {
      if (JSON_EXTENSIONS.has(extname(file).toLowerCase())) yield* readJsonlDocs(file, opts.textField);
      else if (opts.linesAsDocs === true) yield* readLineDocs(file);
      else yield { id: file, source: file, bytes: asBytes(await readFile(file)) };
    }
  }
}

/** A file → [file]; a directory → its files, recursively, sorted by path (code-unit order). */
async function listInputFiles(path: string): Promise<string[]> {
  const info = await stat(path).catch((err: NodeJS.ErrnoException) => {
    throw new BltError(
      'NOT_FOUND',
      `Expected an existing input file or directory, got ${JSON.stringify(path)} (${err.code ?? err.message}).`,
      'check the path; globs are not expanded here',
    );
  });
  if (!info.isDirectory()) return [path];
  const entries: Dirent[] = await readdir(path, { withFileTypes: true });
  const out: string[] = [];
  for (const e of entries
    .filter((d) => !d.name.startsWith('.'))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const child = join(path, e.name);
    if (e.isDirectory() || e.isSymbolicLink()) out.push(...(await listInputFiles(child)));
    else if (e.isFile()) out.push(child);
  }
  return out;
}

async function* readJsonlDocs(file: string, textField: string | undefined): AsyncIterable<TextDoc> {
  const decoder = new TextDecoder('utf-8');
  let lineNo = 0;
  for await (const line of readByteLines(file)) {
    lineNo++;
    const where = `${file}:${lineNo}`;
    const raw = decoder.decode(line);
    if (raw.trim().length === 0) continue;
    const doc = parseJson(
      raw,
      (m) =>
        new BltError(
          'BAD_INPUT',
          `${where}: expected one JSON object per line, got invalid JSON (${m}).`,
          'fix or remove that line; pretty-printed .json files are not supported, write one object per line',
        ),
    );
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
      throw new BltError('BAD_INPUT', `${where}: expected a JSON object, got ${describeValue(doc)}.`);
    }
    const rec = doc as Record<string, unknown>;
    const text = pickText(rec, textField, where);
    const key = ID_KEYS.find((k) => rec[k] !== undefined && rec[k] !== null);
    const id = key === undefined ? where : String(rec[key]);
    yield { id, source: file, bytes: utf8EncodeIgnore(text) };
  }
}

function pickText(rec: Record<string, unknown>, textField: string | undefined, where: string): string {
  const fields = textField !== undefined ? [textField] : ['text', 'content'];
  for (const f of fields) {
    const v = rec[f];
    if (typeof v === 'string') return v;
    if (v !== undefined && v !== null)
      throw new BltError('BAD_INPUT', `${where}: expected field "${f}" to be a string, got ${describeValue(v)}.`);
  }
  throw new BltError(
    'BAD_INPUT',
    `${where}: expected a text field (${fields.map((f) => `"${f}"`).join(' or ')}), got an object with ` +
      `keys ${JSON.stringify(Object.keys(rec).slice(0, 10))}.`,
    'name the field with --text-field',
  );
}

async function* readLineDocs(file: string): AsyncIterable<TextDoc> {
  let lineNo = 0;
  for await (const line of readByteLines(file)) {
    lineNo++;
    const bytes = line.length > 0 && line[line.length - 1] === 0x0d ? line.subarray(0, line.length - 1) : line;
    if (bytes.length > 0) yield { id: `${file}:${lineNo}`, source: file, bytes };
  }
}

/** A file's lines as bytes (without `\n`), streamed in 1 MiB chunks; each line is its own copy. */
async function* readByteLines(file: string): AsyncIterable<Uint8Array> {
  let pieces: Uint8Array[] = []; // the current line's bytes from earlier chunks
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    let start = 0;
    let nl = chunk.indexOf(0x0a);
    while (nl >= 0) {
      pieces.push(chunk.subarray(start, nl));
      yield joinPieces(pieces);
      pieces = [];
      start = nl + 1;
      nl = chunk.indexOf(0x0a, start);
    }
    if (start < chunk.length) pieces.push(chunk.subarray(start));
  }
  if (pieces.length > 0) yield joinPieces(pieces);
}

function joinPieces(pieces: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(pieces.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of pieces) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** A Buffer as a plain Uint8Array view (no copy). */
function asBytes(buf: Buffer): Uint8Array {
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}
