import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { placeFile } from '../../../src/cache/link-file.js';

const root = mkdtempSync(join(tmpdir(), 'blt-link-file-'));
after(() => rm(root, { recursive: true, force: true }));

describe('cache: placeFile', () => {
  it('hard-links the file at the target, replacing what was there', async () => {
    const from = join(root, 'a.parquet');
    const to = join(root, 'b.parquet');
    await writeFile(from, 'shard bytes');
    await writeFile(to, 'an older file');
    assert.equal(await placeFile(from, to), 'linked');
    assert.equal(await readFile(to, 'utf8'), 'shard bytes');
    assert.equal((await stat(to)).ino, (await stat(from)).ino);
    assert.deepEqual((await readdir(root)).sort(), ['a.parquet', 'b.parquet'], 'no temporary is left');
  });

  it('a source that cannot be linked or copied leaves the target untouched and no temporary', async () => {
    const to = join(root, 'c.parquet');
    await writeFile(to, 'kept');
    await assert.rejects(
      placeFile(join(root, 'missing.parquet'), to),
      (e: NodeJS.ErrnoException) => e.code === 'ENOENT',
    );
    assert.equal(await readFile(to, 'utf8'), 'kept');
    assert.ok(!(await readdir(root)).some((n) => n.includes('.tmp-')));
  });
});
