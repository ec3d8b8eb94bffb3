import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomicSyncNoFsync } from '../../../src/core/atomic.js';

describe('core/atomic: writeFileAtomicSyncNoFsync', () => {
  let dir: string;
  beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), 'blt-atomic-sync-'))));
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('writes the pieces in order, creating the parent, leaving no temporary', async () => {
    const path = join(dir, 'a', 'b', 'file.bin');
    writeFileAtomicSyncNoFsync(path, [Uint8Array.of(1, 2), new Uint8Array(0), Uint8Array.of(3)]);
    assert.deepEqual([...(await readFile(path))], [1, 2, 3]);
    assert.deepEqual(await readdir(join(dir, 'a', 'b')), ['file.bin']);
  });

  it('keeps the old file and removes the temporary when producing the pieces throws', async () => {
    const path = join(dir, 'file.bin');
    writeFileAtomicSyncNoFsync(path, [Uint8Array.of(9)]);
    const pieces = (function* () {
      yield Uint8Array.of(1);
      throw new Error('encoder failed');
    })();
    assert.throws(() => writeFileAtomicSyncNoFsync(path, pieces), /encoder failed/);
    assert.deepEqual([...(await readFile(path))], [9]);
    assert.deepEqual(await readdir(dir), ['file.bin']);
  });
});
