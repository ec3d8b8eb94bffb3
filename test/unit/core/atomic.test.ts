import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeDirAtomic, writeFileAtomic, writeFileHashed } from '../../../src/core/atomic.js';
import { hashFile, sha256Hex } from '../../../src/core/hash.js';

const dir = (): string => mkdtempSync(join(tmpdir(), 'blt-atomic-'));

async function* chunks(parts: string[], failAt = -1): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < parts.length; i++) {
    if (i === failAt) throw new Error('source failed');
    yield Buffer.from(parts[i] as string);
  }
}

describe('atomic writes and hashes (src/core)', () => {
  it('writes strings, bytes, iterables and async iterables; creates the parent directory', async () => {
    const d = dir();
    await writeFileAtomic(join(d, 'a', 'b.txt'), 'héllo');
    await writeFileAtomic(join(d, 'c.bin'), Uint8Array.from([1, 2, 3]));
    await writeFileAtomic(join(d, 'd.txt'), [Buffer.from('x'), Buffer.from('yz')], { sync: false });
    await writeFileAtomic(join(d, 'e.txt'), chunks(['1', '22', '333']), { syncDir: true });
    assert.equal(readFileSync(join(d, 'a', 'b.txt'), 'utf8'), 'héllo');
    assert.deepEqual([...readFileSync(join(d, 'c.bin'))], [1, 2, 3]);
    assert.equal(readFileSync(join(d, 'd.txt'), 'utf8'), 'xyz');
    assert.equal(readFileSync(join(d, 'e.txt'), 'utf8'), '122333');
    assert.deepEqual(readdirSync(d).sort(), ['a', 'c.bin', 'd.txt', 'e.txt']);
  });

  it('a failing source leaves the old file and no temporary', async () => {
    const d = dir();
    const path = join(d, 'f.txt');
    writeFileSync(path, 'old');
    await assert.rejects(writeFileAtomic(path, chunks(['new', 'er'], 1)), /source failed/);
    assert.equal(readFileSync(path, 'utf8'), 'old');
    assert.deepEqual(readdirSync(d), ['f.txt']);
  });

  it('writeFileHashed returns the size and sha256 hashFile reads back; a fixed temporary name is used', async () => {
    const d = dir();
    const path = join(d, 'shard.bin');
    const got = await writeFileHashed(path, chunks(['ab', 'cd', 'é']), { tmp: `${path}.tmp`, syncDir: true });
    assert.deepEqual(got, { bytes: 6, sha256: sha256Hex('abcdé') });
    assert.deepEqual(await hashFile(path), got);
    assert.equal(sha256Hex(''), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('writeDirAtomic replaces a directory whole, or not at all', async () => {
    const d = dir();
    const target = join(d, 'model');
    await writeDirAtomic(target, async (tmp) => writeFileAtomic(join(tmp, 'a'), '1'));
    await assert.rejects(
      writeDirAtomic(target, async (tmp) => {
        await writeFileAtomic(join(tmp, 'b'), '2');
        throw new Error('fill failed');
      }),
      /fill failed/,
    );
    assert.deepEqual(readdirSync(target), ['a']);
    await writeDirAtomic(target, async (tmp) => writeFileAtomic(join(tmp, 'c'), '3'));
    assert.deepEqual(readdirSync(target), ['c']);
    assert.deepEqual(readdirSync(d), ['model']);
  });
});
