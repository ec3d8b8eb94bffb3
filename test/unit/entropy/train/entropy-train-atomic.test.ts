import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeDirAtomic, writeFileAtomic } from '../../../../src/core/atomic.js';

describe('core atomic writes', () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'blt-atomic-'));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('writeFileAtomic creates parents, replaces content and leaves no temporary', async () => {
    const p = join(root, 'a', 'b.txt');
    await writeFileAtomic(p, 'one');
    await writeFileAtomic(p, new TextEncoder().encode('two'));
    assert.equal(await readFile(p, 'utf8'), 'two');
    assert.deepEqual(await readdir(join(root, 'a')), ['b.txt']);
  });

  it('writeDirAtomic replaces a directory whole, and leaves it untouched when filling fails', async () => {
    const d = join(root, 'ckpt');
    await writeDirAtomic(d, async (tmp) => writeFile(join(tmp, 'x'), '1'));
    await writeDirAtomic(d, async (tmp) => writeFile(join(tmp, 'y'), '2'));
    assert.deepEqual(await readdir(d), ['y']);
    await assert.rejects(
      writeDirAtomic(d, async (tmp) => {
        await writeFile(join(tmp, 'z'), '3');
        throw new Error('disk full');
      }),
      /disk full/,
    );
    assert.deepEqual(await readdir(d), ['y']);
    assert.deepEqual((await readdir(root)).sort(), ['a', 'ckpt']);
  });
});
