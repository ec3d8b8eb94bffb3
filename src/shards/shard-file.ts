/** One shard file opened for reading, whatever its format (chosen by the file extension). */
import { BltError, describeDecodeFailure } from '../core/errors.js';
import { openArrowShard } from './arrow-format.js';
import { openParquetShard } from './parquet-format.js';
import type { ShardFileReader } from './shard-file-reader.js';
import type { ShardFileFormat } from './writer-state.js';

/** Shard file names: `shard-00000.parquet`, `shard-00001.arrow`, … */
export const SHARD_FILE_RE = /^shard-(\d{5,})\.(parquet|arrow)$/;

export function shardFileName(n: number, format: ShardFileFormat): string {
  return `shard-${String(n).padStart(5, '0')}.${format}`;
}

export function shardFormatOf(file: string): ShardFileFormat {
  if (file.endsWith('.parquet')) return 'parquet';
  if (file.endsWith('.arrow')) return 'arrow';
  throw new BltError('BAD_OPTION', `Expected a shard file ending in .parquet or .arrow, got ${JSON.stringify(file)}.`);
}

/** Wraps a reader library failure (corrupt page, bad footer) as SHARD_FORMAT naming the file. */
export function readFailure(file: string, err: unknown): BltError {
  if (err instanceof BltError) return err;
  const msg = describeDecodeFailure(err, 'the file');
  return new BltError(
    'SHARD_FORMAT',
    `${file}: cannot read the shard (${msg.split('\n')[0]}).`,
    '`blt verify <dir>` checks sizes and checksums; rebuild the shard set if the file is damaged',
  );
}

export async function openShardFile(file: string): Promise<ShardFileReader> {
  const format = shardFormatOf(file);
  try {
    return await (format === 'parquet' ? openParquetShard(file) : openArrowShard(file));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      throw new BltError(
        'NOT_FOUND',
        `Shard file ${file} does not exist.`,
        'check the path; `blt verify <dir>` lists missing shards',
      );
    throw readFailure(file, err);
  }
}
