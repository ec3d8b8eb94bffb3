/** Reader options: what the user may set, validated once, with defaults filled in. */
import { BltError, badOption, describeValue } from '../../core/errors.js';

export interface ReadOptions {
  /** JSONL field / Parquet-Arrow column holding the text; default `text`, then `content` */
  readonly textField?: string;
  /** field/column holding the id; default the first present of `ID_FIELDS`, else `<file>:<line|row>` */
  readonly idField?: string;
  /** field/column holding a language tag; default `lang` when present */
  readonly langField?: string;
  /** plain-text inputs: one document per line instead of per file */
  readonly linesAsDocs?: boolean;
  /** documents longer than this many bytes become BadRecords; default: no limit (up to 2 GiB - 1) */
  readonly maxDocBytes?: number;
  /** lines longer than this (JSONL, text lines) are not buffered and become BadRecords; default 256 MiB */
  readonly maxLineBytes?: number;
  /** how stdin is read: sniffed from its first non-space byte (`{` → jsonl), or forced */
  readonly stdinFormat?: 'auto' | 'jsonl' | 'text';
  /** JSONL lines that are not valid UTF-8: a BadRecord (default), or decoded with U+FFFD */
  readonly invalidUtf8?: 'bad-record' | 'replace';
  /** Parquet rows decoded per batch (memory vs. overhead); default 1024 */
  readonly parquetBatchRows?: number;
  /** the bytes read for `-`; default `process.stdin` (tests pass their own) */
  readonly stdin?: AsyncIterable<Uint8Array>;
}

/** The reference's id fallback (blt preprocess_entropies.py), first present wins. */
const ID_FIELDS = ['sample_id', 'title', 'qid', 'paper_id', 'path', 'url', 'id'] as const;
/** The reference's text fallback. */
const TEXT_FIELDS = ['text', 'content'] as const;

/** Largest document any reader builds (typed arrays and transfers beyond this are impractical). */
export const DOC_BYTES_CEILING = 2 ** 31 - 1;
const DEFAULT_MAX_LINE_BYTES = 256 * 2 ** 20;
/** V8 cannot hold a string much longer than 2^29 code units, so JSON lines cannot be longer. */
const MAX_LINE_BYTES_CEILING = 2 ** 29 - 64;

export interface ResolvedReadOptions {
  readonly textFields: readonly string[];
  readonly idFields: readonly string[];
  readonly langField: string;
  readonly linesAsDocs: boolean;
  readonly maxDocBytes: number | undefined;
  readonly maxLineBytes: number;
  readonly stdinFormat: 'auto' | 'jsonl' | 'text';
  readonly invalidUtf8: 'bad-record' | 'replace';
  readonly parquetBatchRows: number;
  readonly stdin: AsyncIterable<Uint8Array> | undefined;
}

const KNOWN = new Set([
  'textField',
  'idField',
  'langField',
  'linesAsDocs',
  'maxDocBytes',
  'maxLineBytes',
  'stdinFormat',
  'invalidUtf8',
  'parquetBatchRows',
  'stdin',
]);

export function resolveReadOptions(opts: ReadOptions = {}): ResolvedReadOptions {
  if (typeof opts !== 'object' || opts === null) throw badOption('read options', 'an object', opts);
  const unknown = Object.keys(opts).filter((k) => !KNOWN.has(k));
  if (unknown.length > 0)
    throw new BltError(
      'BAD_OPTION',
      `Unknown read option ${JSON.stringify(unknown[0])}; expected one of ${[...KNOWN].join(', ')}.`,
    );
  const field = (name: string, v: unknown): string | undefined => {
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || v.length === 0) throw badOption(name, 'a non-empty field name', v);
    return v;
  };
  const textField = field('textField', opts.textField);
  const idField = field('idField', opts.idField);
  return Object.freeze({
    textFields: textField !== undefined ? [textField] : TEXT_FIELDS,
    idFields: idField !== undefined ? [idField] : ID_FIELDS,
    langField: field('langField', opts.langField) ?? 'lang',
    linesAsDocs: bool('linesAsDocs', opts.linesAsDocs),
    maxDocBytes:
      opts.maxDocBytes === undefined ? undefined : int('maxDocBytes', opts.maxDocBytes, 1, DOC_BYTES_CEILING),
    maxLineBytes:
      opts.maxLineBytes === undefined
        ? DEFAULT_MAX_LINE_BYTES
        : int('maxLineBytes', opts.maxLineBytes, 1, MAX_LINE_BYTES_CEILING),
    stdinFormat: oneOf('stdinFormat', opts.stdinFormat, ['auto', 'jsonl', 'text'] as const),
    invalidUtf8: oneOf('invalidUtf8', opts.invalidUtf8, ['bad-record', 'replace'] as const),
    parquetBatchRows:
      opts.parquetBatchRows === undefined ? 1024 : int('parquetBatchRows', opts.parquetBatchRows, 1, 1 << 24),
    stdin: stdinSource(opts.stdin),
  });
}

function bool(name: string, v: unknown): boolean {
  if (v === undefined) return false;
  if (typeof v !== 'boolean') throw badOption(name, 'a boolean', v);
  return v;
}

function int(name: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    throw badOption(name, `an integer in [${min}, ${max}]`, v);
  return v;
}

function oneOf<T extends string>(name: string, v: unknown, allowed: readonly T[]): T {
  if (v === undefined) return allowed[0] as T;
  if (typeof v !== 'string' || !allowed.includes(v as T))
    throw badOption(name, `one of ${allowed.map((a) => `"${a}"`).join(', ')}`, v);
  return v as T;
}

function stdinSource(v: unknown): AsyncIterable<Uint8Array> | undefined {
  if (v === undefined) return undefined;
  if (
    typeof v !== 'object' ||
    v === null ||
    typeof (v as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] !== 'function'
  ) {
    throw new BltError(
      'BAD_OPTION',
      `Expected \`stdin\` to be an async iterable of byte chunks, got ${describeValue(v)}.`,
    );
  }
  return v as AsyncIterable<Uint8Array>;
}
