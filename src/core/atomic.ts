/**
 * Atomic file and directory writes, the project's one implementation: content goes to a temporary
 * sibling first and is renamed into place, so a reader (or a resumed run after a kill) sees the old
 * version or the new one, never a torn one. rename(2) is atomic within one file system; temporaries
 * are siblings. `sync` (fsync the file before the rename) and `syncDir` (fsync the directory after
 * it) decide what survives a power loss, not what a reader sees.
 */
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { WrittenFile } from './hash.js';

export interface AtomicWriteOptions {
  /** fsync the file before the rename (default true) */
  readonly sync?: boolean;
  /** fsync the parent directory after the rename, so the new name survives a power loss (default false) */
  readonly syncDir?: boolean;
  /** the temporary's path (default a fresh `tempSiblingPath`); a fixed name lets a resumed run find leftovers */
  readonly tmp?: string;
}

type Chunks = Iterable<Uint8Array> | AsyncIterable<Uint8Array>;

/** A temporary sibling name of `path`: `.<name>.tmp-<pid>-<random>`. */
export function tempSiblingPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
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

/** fsync an existing file (e.g. a batch of files written with `sync: false`, or a copy). */
export async function syncFile(path: string): Promise<void> {
  const fh = await open(path, 'r+');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Puts what `make(tmp)` creates at the temporary path onto `path` by a rename; if `make` or the
 * rename fails, the temporary is removed and `path` is untouched. Creates the parent directory.
 */
export async function replaceFileAtomic<T>(
  path: string,
  make: (tmp: string) => Promise<T>,
  opts: AtomicWriteOptions = {},
): Promise<T> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = opts.tmp ?? tempSiblingPath(path);
  let out: T;
  try {
    out = await make(tmp);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  if (opts.syncDir === true) await syncDir(dirname(path));
  return out;
}

async function writeAll(fh: FileHandle, chunk: Uint8Array): Promise<void> {
  for (let done = 0; done < chunk.length;) done += (await fh.write(chunk, done, chunk.length - done)).bytesWritten;
}

/** Writes the chunks to a new file at `tmp` (fsynced unless `sync: false`), calling `seen` on each. */
async function writeChunks(
  tmp: string,
  data: string | Uint8Array | Chunks,
  sync: boolean,
  seen?: (chunk: Uint8Array) => void,
): Promise<void> {
  const fh = await open(tmp, 'w');
  try {
    if (typeof data === 'string' || data instanceof Uint8Array) {
      const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
      seen?.(bytes);
      await fh.writeFile(bytes);
    } else {
      for await (const chunk of data) {
        seen?.(chunk);
        await writeAll(fh, chunk);
      }
    }
    if (sync) await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Writes `data` to `path` atomically (temp file, fsync, rename). Creates the parent directory.
 * `sync: false` skips the fsync: still atomic for readers and across a process crash (SIGKILL),
 * but after a power loss the file may be old, new or empty; use it only for files a resumed run
 * checks (e.g. by checksum) before trusting them.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array | Chunks,
  opts: AtomicWriteOptions = {},
): Promise<void> {
  await replaceFileAtomic(path, (tmp) => writeChunks(tmp, data, opts.sync !== false), opts);
}

/** `writeFileAtomic` that hashes the bytes on the way: returns the file's size and sha256. */
export async function writeFileHashed(
  path: string,
  data: string | Uint8Array | Chunks,
  opts: AtomicWriteOptions = {},
): Promise<WrittenFile> {
  const hash = createHash('sha256');
  let bytes = 0;
  const seen = (chunk: Uint8Array): void => {
    hash.update(chunk);
    bytes += chunk.length;
  };
  await replaceFileAtomic(path, (tmp) => writeChunks(tmp, data, opts.sync !== false, seen), opts);
  return { bytes, sha256: hash.digest('hex') };
}

/**
 * `writeFileAtomic(path, pieces, { sync: false })` with blocking calls, for a worker thread with
 * nothing else to do meanwhile (each awaited write of the async form leaves it idle for a round
 * trip to the thread pool). No fsync: the same power-loss caveat as `sync: false`.
 */
export function writeFileAtomicSyncNoFsync(path: string, pieces: Iterable<Uint8Array>): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = tempSiblingPath(path);
  try {
    const fd = openSync(tmp, 'w');
    try {
      for (const piece of pieces) {
        for (let done = 0; done < piece.length;) done += writeSync(fd, piece, done, piece.length - done);
      }
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/**
 * Builds a directory atomically: `fill(tmpDir)` writes into a fresh temporary sibling, which then
 * replaces `dir` (an existing `dir` is moved aside first and removed after the swap). If `fill`
 * throws, the temporary is removed and `dir` is untouched.
 */
export async function writeDirAtomic(dir: string, fill: (tmpDir: string) => Promise<void>): Promise<void> {
  await mkdir(dirname(dir), { recursive: true });
  const tmp = tempSiblingPath(dir);
  await mkdir(tmp);
  try {
    await fill(tmp);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
  await replaceDirAtomic(tmp, dir);
}

/** Moves the finished directory `fromTmp` to `dir`, replacing what was there. */
export async function replaceDirAtomic(fromTmp: string, dir: string): Promise<void> {
  const old = tempSiblingPath(dir);
  let movedAside = false;
  try {
    await rename(dir, old);
    movedAside = true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await rename(fromTmp, dir);
  if (movedAside) await rm(old, { recursive: true, force: true });
}
