/**
 * The shard schema (docs/shards.md): one row per document, columns in this order
 *
 *   doc_id  utf8         not null   the document's id (unique within its source)
 *   source  utf8         not null   the input it came from (file path, corpus name)
 *   lang    utf8         nullable   language tag when known
 *   text    binary       not null   the document's raw bytes
 *   n_tokens int32       not null   bytes + 2 (BOS and EOS)
 *   entropies list<float32>         [n_tokens]    entropy mode only
 *   patch_lengths list<int32>       [n_patches]   Σ = n_tokens
 *   ngram_ids_<g>_<f> list<int32>   [n_tokens]    one per hash table (group size g, function f)
 *
 * `text` is binary, not utf8: documents are byte sequences and may hold invalid UTF-8, which
 * the tokenizer keeps byte for byte; an Arrow/Parquet utf8 column must be valid UTF-8
 * (pyarrow and DuckDB reject or mangle it), so storing it as utf8 would lose bytes and break
 * `len(entropies) == len(text) + 2`.
 *
 * `entropies` are float32, not the reference's float16 (of bf16 values): float32 holds exactly
 * what our entropy engine computed, so patch boundaries re-derived from stored entropies
 * (`repatch`) are bit-identical to those computed during preprocessing. A float16 store rounds
 * to 11 significant bits (≈0.001–0.002 nats at 2–4 nats): an entropy within that distance of
 * the threshold can round onto or across it and flip a strict `H > θ` decision, and distinct
 * neighbours can become equal (monotonic mode compares differences). The price is 2 bytes more
 * per token. `blt export --format blt-arrow` converts to float16 for the reference.
 */
import * as arrow from 'apache-arrow';
import { BltError } from '../core/errors.js';
import { requireInt } from '../core/validate.js';

export const FORMAT_NAME = 'blt-shards';
/** Version of the shard layout and manifest; bump on any incompatible change. */
export const FORMAT_VERSION = 1;

/** One hashed n-gram table: group size g (bytes per n-gram) and hash function number f. */
export interface NgramTableSpec {
  groupSize: number;
  hashFunction: number;
}

/** Which optional columns a shard set holds; it follows the run's settings. */
export interface ShardColumnsSpec {
  entropies: boolean;
  patchLengths: boolean;
  ngramTables: readonly NgramTableSpec[];
}

/** Always present, in this order. */
export const CORE_COLUMNS = ['doc_id', 'source', 'lang', 'text', 'n_tokens'] as const;

const NGRAM_RE = /^ngram_ids_(\d+)_(\d+)$/;

export function ngramColumnName(t: NgramTableSpec): string {
  return `ngram_ids_${t.groupSize}_${t.hashFunction}`;
}

/** The column names of a shard set with these settings, in file order. */
export function columnNames(spec: ShardColumnsSpec): string[] {
  const names: string[] = [...CORE_COLUMNS];
  if (spec.entropies) names.push('entropies');
  if (spec.patchLengths) names.push('patch_lengths');
  for (const t of spec.ngramTables) names.push(ngramColumnName(t));
  return names;
}

/** Throws BAD_OPTION unless `spec` is well formed (integers in range, no duplicate tables). */
export function validateColumnsSpec(spec: ShardColumnsSpec): ShardColumnsSpec {
  if (typeof spec !== 'object' || spec === null || !Array.isArray(spec.ngramTables)) {
    throw new BltError(
      'BAD_OPTION',
      `Expected \`columns\` to be {entropies, patchLengths, ngramTables[]}, got ${JSON.stringify(spec)}.`,
    );
  }
  const seen = new Set<string>();
  for (const t of spec.ngramTables) {
    requireInt('ngramTables[].groupSize', t.groupSize, 1, 1 << 20);
    requireInt('ngramTables[].hashFunction', t.hashFunction, 0, 1 << 20);
    const name = ngramColumnName(t);
    if (seen.has(name)) {
      throw new BltError(
        'BAD_OPTION',
        `Expected distinct n-gram tables, got ${name} twice.`,
        'each (group size, hash function) pair names one column',
      );
    }
    seen.add(name);
  }
  return {
    entropies: spec.entropies === true,
    patchLengths: spec.patchLengths === true,
    ngramTables: spec.ngramTables.map((t) => ({ groupSize: t.groupSize, hashFunction: t.hashFunction })),
  };
}

const listOf = (item: arrow.DataType): arrow.List => new arrow.List(new arrow.Field('item', item, false));

/** The Arrow schema, with `blt.format` / `blt.format_version` metadata. */
export function shardSchema(spec: ShardColumnsSpec): arrow.Schema {
  const fields: arrow.Field[] = [
    new arrow.Field('doc_id', new arrow.Utf8(), false),
    new arrow.Field('source', new arrow.Utf8(), false),
    new arrow.Field('lang', new arrow.Utf8(), true),
    new arrow.Field('text', new arrow.Binary(), false),
    new arrow.Field('n_tokens', new arrow.Int32(), false),
  ];
  if (spec.entropies) fields.push(new arrow.Field('entropies', listOf(new arrow.Float32()), false));
  if (spec.patchLengths) fields.push(new arrow.Field('patch_lengths', listOf(new arrow.Int32()), false));
  for (const t of spec.ngramTables) fields.push(new arrow.Field(ngramColumnName(t), listOf(new arrow.Int32()), false));
  const metadata = new Map([
    ['blt.format', FORMAT_NAME],
    ['blt.format_version', String(FORMAT_VERSION)],
  ]);
  return new arrow.Schema(fields, metadata);
}

const isListOf = (t: arrow.DataType, item: arrow.Type): boolean =>
  arrow.DataType.isList(t) && (t as arrow.List).children[0]?.type.typeId === item;

/** Expected Arrow type of each column name, for checking a file read back. */
function typeOk(name: string, t: arrow.DataType): boolean {
  if (name === 'doc_id' || name === 'source' || name === 'lang') return arrow.DataType.isUtf8(t);
  if (name === 'text') return arrow.DataType.isBinary(t);
  if (name === 'n_tokens') return arrow.DataType.isInt(t) && t.bitWidth === 32 && t.isSigned;
  if (name === 'entropies')
    return (
      isListOf(t, arrow.Type.Float) &&
      (t as arrow.List<arrow.Float>).children[0]?.type.precision === arrow.Precision.SINGLE
    );
  return isListOf(t, arrow.Type.Int) && (t as arrow.List<arrow.Int>).children[0]?.type.bitWidth === 32;
}

/**
 * The columns spec of a schema read from a shard file; throws SHARD_FORMAT when a core column
 * is missing, a column is unknown or a type differs.
 */
export function specFromSchema(schema: arrow.Schema, file: string): ShardColumnsSpec {
  const spec = { entropies: false, patchLengths: false, ngramTables: [] as NgramTableSpec[] };
  const hint = 'is this a blt shard file? `blt verify <dir>` checks a whole shard set';
  for (const f of schema.fields) {
    const m = NGRAM_RE.exec(f.name);
    const known =
      (CORE_COLUMNS as readonly string[]).includes(f.name) || f.name === 'entropies' || f.name === 'patch_lengths' || m;
    if (!known)
      throw new BltError(
        'SHARD_FORMAT',
        `${file}: unexpected column \`${f.name}\`; expected ${CORE_COLUMNS.join(', ')}, entropies, ` +
          `patch_lengths or ngram_ids_<g>_<f>.`,
        hint,
      );
    if (!typeOk(f.name, f.type))
      throw new BltError(
        'SHARD_FORMAT',
        `${file}: column \`${f.name}\` has type ${String(f.type)}, which is not the shard schema's type for ` +
          `it (docs/shards.md).`,
        hint,
      );
    if (f.name === 'entropies') spec.entropies = true;
    if (f.name === 'patch_lengths') spec.patchLengths = true;
    if (m) spec.ngramTables.push({ groupSize: Number(m[1]), hashFunction: Number(m[2]) });
  }
  const names = new Set(schema.fields.map((f) => f.name));
  const missing = CORE_COLUMNS.filter((c) => !names.has(c));
  if (missing.length > 0)
    throw new BltError(
      'SHARD_FORMAT',
      `${file}: missing column(s) ${missing.join(', ')}; found ${[...names].join(', ')}.`,
      hint,
    );
  return spec;
}
