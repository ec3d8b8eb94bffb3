/**
 * One document of a shard set by id, with its stored entropies and patch lengths (copied out
 * of the row group's buffers). Streams the set until the id is found: O(one row group) memory,
 * time proportional to the document's position in the set.
 */
import { BltError } from '../core/errors.js';
import type { ShardRow } from '../shards/row.js';
import { readShardSet } from '../shards/reader.js';
import { shardSetInfo, manifestPatching } from './shard-columns.js';

export interface ShardDocument {
  docId: string;
  source: string;
  lang?: string;
  bytes: Uint8Array;
  /** [n_tokens] */
  entropies: Float32Array;
  /** stored patch lengths, when the set has them */
  patchLengths?: Int32Array;
  /** the patching settings recorded in the manifest */
  patching: ReturnType<typeof manifestPatching>;
}

export async function findShardDoc(dir: string, docId: string, source?: string): Promise<ShardDocument> {
  const { manifest, columns } = await shardSetInfo(dir);
  if (!columns.entropies) {
    throw new BltError(
      'BAD_INPUT',
      `Expected a shard set with stored entropies, got ${dir} without an entropies column.`,
      'space/static-mode sets store no entropies; inspect the text itself (blt inspect --file ...) to score ' +
        'it with a model',
    );
  }
  const wanted = ['entropies', ...(columns.patchLengths ? ['patch_lengths'] : [])];
  let found: ShardRow | undefined;
  let seen = 0;
  for await (const row of readShardSet(dir, { columns: wanted })) {
    seen++;
    if (row.docId === docId && (source === undefined || row.source === source)) {
      found = row;
      break;
    }
  }
  if (!found) {
    throw new BltError(
      'NOT_FOUND',
      `Expected a document with ` +
        `id ${JSON.stringify(docId)}${source === undefined ? '' : ` from source ${JSON.stringify(source)}`} ` +
        `in ${dir}, found none among its ${seen} documents.`,
      "list ids with DuckDB (SELECT doc_id FROM read_parquet('<dir>/shard-*.parquet')) or check --doc-id",
    );
  }
  return {
    docId: found.docId,
    source: found.source,
    ...(found.lang ? { lang: found.lang } : {}),
    bytes: found.bytes.slice(),
    entropies: (found.entropies as Float32Array).slice(),
    ...(found.patchLengths ? { patchLengths: found.patchLengths.slice() } : {}),
    patching: manifestPatching(manifest),
  };
}
