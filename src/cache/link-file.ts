/**
 * `placeFile(from, to)`: puts a hard link to `from` (or, across file systems or where links are
 * refused, a copy) at `to`, atomically replacing what was there. Shard files are never modified
 * in place (every writer writes a temporary and renames it), so a link shared between the cache
 * and an output directory cannot be changed through the other name.
 */
import { copyFile, link, open, rename, rm } from 'node:fs/promises';
import { tempSiblingPath } from '../core/atomic.js';

export async function placeFile(from: string, to: string): Promise<'linked' | 'copied'> {
  const tmp = tempSiblingPath(to);
  let how: 'linked' | 'copied' = 'linked';
  try {
    try {
      await link(from, tmp);
    } catch {
      how = 'copied';
      await copyFile(from, tmp);
      const fh = await open(tmp, 'r+');
      try {
        await fh.sync(); // a copy is new data: make it durable before it gets its name
      } finally {
        await fh.close();
      }
    }
    await rename(tmp, to);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  return how;
}
