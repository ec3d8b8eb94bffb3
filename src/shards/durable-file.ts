/**
 * Streams chunks into `<path>.tmp`, hashing them on the way, then fsyncs, renames to `path` and
 * fsyncs the directory: after a crash `path` is either absent, the previous version, or complete.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface WrittenFile {
  /** file size in bytes */
  bytes: number;
  /** sha256 of the file, hex */
  sha256: string;
}

async function writeAll(fh: FileHandle, chunk: Uint8Array): Promise<void> {
  let done = 0;
  while (done < chunk.length) {
    const { bytesWritten } = await fh.write(chunk, done, chunk.length - done);
    done += bytesWritten;
  }
}

/** fsync a directory so a rename in it survives a power loss (best effort where unsupported). */
export async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } catch {
    // some file systems refuse fsync on directories; the rename itself is still atomic
  } finally {
    await fh.close();
  }
}

export async function writeFileDurably(
  path: string,
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
): Promise<WrittenFile> {
  const tmp = `${path}.tmp`;
  const hash = createHash('sha256');
  let bytes = 0;
  const fh = await open(tmp, 'w');
  try {
    try {
      for await (const chunk of chunks) {
        hash.update(chunk);
        bytes += chunk.length;
        await writeAll(fh, chunk);
      }
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  await syncDir(dirname(path));
  return { bytes, sha256: hash.digest('hex') };
}

/** sha256 (hex) and size of a file, streamed. */
export async function hashFile(path: string): Promise<WrittenFile> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { bytes, sha256: hash.digest('hex') };
}
