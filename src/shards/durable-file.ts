/**
 * Streams chunks into `<path>.tmp`, hashing them on the way, then fsyncs, renames to `path` and
 * fsyncs the directory: after a crash `path` is either absent, the previous version, or complete.
 * The fixed `.tmp` name lets the shard writer remove leftovers of an interrupted close. Built on
 * the project's one atomic write (src/core/atomic.ts) and hash (src/core/hash.ts).
 */
import { writeFileHashed } from '../core/atomic.js';
import type { WrittenFile } from '../core/hash.js';

export { hashFile, type WrittenFile } from '../core/hash.js';

export async function writeFileDurably(
  path: string,
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
): Promise<WrittenFile> {
  return writeFileHashed(path, chunks, { tmp: `${path}.tmp`, syncDir: true });
}
