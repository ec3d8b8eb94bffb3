/**
 * Atomic file and directory writes: content goes to a temporary sibling first and is renamed
 * into place, so a reader (or a resumed run after a kill) sees the old version or the new one,
 * never a torn one. rename(2) is atomic within one file system; temporaries are siblings.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** A temporary sibling name of `path`: `.<name>.tmp-<pid>-<random>`. */
export function tempSiblingPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
}

/**
 * Writes `data` to `path` atomically (temp file, fsync, rename). Creates the parent directory.
 * `sync: false` skips the fsync: still atomic for readers and across a process crash (SIGKILL),
 * but after a power loss the file may be old, new or empty; use it only for files a resumed run
 * checks (e.g. by checksum) before trusting them.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array | Iterable<Uint8Array>,
  opts: { sync?: boolean } = {},
): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = tempSiblingPath(path);
  try {
    const fh = await open(tmp, 'w');
    try {
      if (typeof data === 'string' || data instanceof Uint8Array) await fh.writeFile(data);
      else {
        for (const piece of data) {
          for (let done = 0; done < piece.length;)
            done += (await fh.write(piece, done, piece.length - done)).bytesWritten;
        }
      }
      if (opts.sync !== false) await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
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
