/** Shard sets: schema, writer, manifest + fingerprints, reader, verify (docs/shards.md). */

export { type ShardRow } from './row.js';

export { readManifest, type Manifest } from './manifest.js';

export { readShardRows, readShardSet } from './reader.js';
export { verifyShardSet } from './verify.js';
