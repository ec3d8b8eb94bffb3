/**
 * Stores a finished shard set in the cache: its shard files are hard-linked (copied across file
 * systems) into `<cache>/tmp/<key>-<pid>-<random>/`, the small files are copied, the manifest
 * last, and the directory is renamed to `<cache>/sets/<key>/`. A set is therefore either complete
 * in sets/ or absent; a run killed while storing leaves only a tmp/ entry. Two runs storing the
 * same set race harmlessly: the second rename fails and its copy is removed.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { BltError } from '../core/errors.js';
import { MANIFEST_FILE, readManifest } from '../shards/manifest.js';
import { syncDir, writeFileAtomic } from '../core/atomic.js';
import { COMPLETIONS_DIR } from '../shardset/completions.js';
import { QUARANTINE_FILE } from '../shardset/finish.js';
import { RUN_FILE } from '../shardset/run-record.js';
import { cacheSetKey, setDir, setsDir, tmpDir } from './cache-layout.js';
import { entryOf } from './list-cache.js';
import { placeFile } from './link-file.js';

export interface PublishResult {
  /** the set's directory in the cache, or null when it was not stored */
  path: string | null;
  /** stored now, already there, or why not */
  outcome: 'stored' | 'present' | 'stdin' | 'no-completions';
}

async function copySmall(from: string, to: string): Promise<void> {
  await writeFileAtomic(to, await readFile(from));
}

/** Stores the complete shard set `out` in `cacheDir` unless it is there already. */
export async function publishToCache(cacheDir: string, out: string): Promise<PublishResult> {
  const m = await readManifest(out);
  if (m.inputs.some((i) => i.sha256 === 'stdin')) return { path: null, outcome: 'stdin' };
  if (!existsSync(join(out, COMPLETIONS_DIR))) return { path: null, outcome: 'no-completions' };
  const key = cacheSetKey(m.inputs, m.fingerprints, entryOf('', out, m, null).layout);
  const dest = setDir(cacheDir, key);
  if (existsSync(join(dest, MANIFEST_FILE))) return { path: dest, outcome: 'present' };

  const tmp = join(tmpDir(cacheDir), `${key}-${process.pid}-${randomBytes(4).toString('hex')}`);
  await mkdir(join(tmp, COMPLETIONS_DIR), { recursive: true });
  await mkdir(setsDir(cacheDir), { recursive: true });
  try {
    for (const s of m.shards) await placeFile(join(out, s.file), join(tmp, s.file));
    for (const name of (await readdir(join(out, COMPLETIONS_DIR))).sort())
      await copySmall(join(out, COMPLETIONS_DIR, name), join(tmp, COMPLETIONS_DIR, name));
    for (const name of [QUARANTINE_FILE, RUN_FILE])
      if (existsSync(join(out, name))) await copySmall(join(out, name), join(tmp, name));
    await copySmall(join(out, MANIFEST_FILE), join(tmp, MANIFEST_FILE));
    await syncDir(tmp);
    try {
      await rename(tmp, dest);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST' && code !== 'ENOTEMPTY') throw err;
      await rm(tmp, { recursive: true, force: true });
      // another run stored it first
      if (existsSync(join(dest, MANIFEST_FILE))) return { path: dest, outcome: 'present' };
      throw new BltError(
        'STATE_FORMAT',
        `${dest} exists but holds no complete shard set (no ${MANIFEST_FILE}).`,
        "it is not the cache's doing (sets appear by rename only); remove that directory",
      );
    }
    await syncDir(setsDir(cacheDir));
    return { path: dest, outcome: 'stored' };
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}
