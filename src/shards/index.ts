/** Shard sets: schema, writer, manifest + fingerprints, reader, verify (docs/shards.md). */
export {
  CORE_COLUMNS,
  FORMAT_NAME,
  FORMAT_VERSION,
  columnNames,
  ngramColumnName,
  shardSchema,
  specFromSchema,
  validateColumnsSpec,
  type NgramTableSpec,
  type ShardColumnsSpec,
} from './schema.js';
export { checkRow, rowColumnBytes, rowProblems, type ShardDoc, type ShardRow } from './row.js';
export { buildShardTable, flattenRows, tableFromColumns, type FlatColumns, type FlatList } from './build-table.js';
export { decodeBatch } from './decode-batch.js';
export {
  DEFAULT_ROW_GROUP_ROWS,
  DEFAULT_SHARD_SIZE_BYTES,
  ShardWriter,
  type ShardWriterOptions,
} from './shard-writer.js';
export {
  WRITER_STATE_FILE,
  type PendingTask,
  type ShardFileFormat,
  type ShardRecord,
  type ShardTotals,
  type ShardWriterSettings,
  type ShardWriterState,
} from './writer-state.js';
export { SHARD_FILE_RE, shardFileName } from './shard-file.js';
export {
  MANIFEST_FILE,
  buildManifest,
  parseManifest,
  readManifest,
  serializeManifest,
  writeManifest,
  type Manifest,
  type ManifestFields,
  type ManifestFingerprints,
  type ManifestInput,
  type ManifestShard,
  type ManifestTotals,
} from './manifest.js';
export {
  canonicalJson,
  fingerprint,
  fingerprintHasher,
  type FingerprintHasher,
  type FingerprintPart,
} from './fingerprint.js';
export { readShardRows, readShardSet, type ReadShardOptions, type ReadShardSetOptions } from './reader.js';
export { verifyShardSet, type VerifyOptions, type VerifyProblem, type VerifyReport } from './verify.js';
