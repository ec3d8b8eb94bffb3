/**
 * `placeFile(from, to)`: puts a hard link to `from` (or, across file systems or where links are
 * refused, a copy) at `to`, atomically replacing what was there. Shard files are never modified
 * in place (every writer writes a temporary and renames it), so a link shared between the cache
 * and an output directory cannot be changed through the other name.
 */
import { copyFile, link } from 'node:fs/promises';
import { replaceFileAtomic, syncFile } from '../core/atomic.js';

export function placeFile(from: string, to: string): Promise<'linked' | 'copied'> {
  return replaceFileAtomic(to, async (tmp) => {
    try {
      await link(from, tmp);
      return 'linked';
    } catch {
      await copyFile(from, tmp);
      await syncFile(tmp); // a copy is new data: make it durable before it gets its name
      return 'copied';
    }
  });
}
