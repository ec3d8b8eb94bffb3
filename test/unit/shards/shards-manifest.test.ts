import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BltError } from '../../../src/core/errors.js';
import { canonicalJson } from '../../../src/core/canonical-json.js';
import { fingerprint, fingerprintHasher } from '../../../src/shards/fingerprint.js';
import {
  buildManifest,
  readManifest,
  serializeManifest,
  writeManifest,
  type Manifest,
} from '../../../src/shards/manifest.js';
import { readShardSet } from '../../../src/shards/reader.js';

const HEX = 'a'.repeat(64);
const sample = (config: Record<string, unknown> = { mode: 'entropy', threshold: 1.335 }): Manifest =>
  buildManifest({
    tool: { name: 'blt-toolkit', version: '0.1.0' },
    config,
    inputs: [{ path: 'data/a.jsonl', size: 10, sha256: HEX }],
    shards: [{ file: 'shard-00000.parquet', rows: 2, bytes: 100, sha256: HEX }],
    totals: { documents: 2, bytes: 10, tokens: 14, patches: 4, quarantined: 1 },
    fingerprints: { content: HEX, entropy: 'b'.repeat(64) },
  });

describe('shards: manifest', () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'blt-shards-manifest-'));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('writes index.json and reads it back', async () => {
    const dir = join(root, 'ok');
    await writeManifest(dir, sample());
    const m = await readManifest(dir);
    assert.deepEqual(m, sample());
    assert.equal(m.format, 'blt-shards');
    assert.equal(m.version, 1);
    assert.equal(m.createdAt, undefined);
  });

  it('serializes identically whatever the config key order', () => {
    assert.equal(
      serializeManifest(sample({ b: 1, a: { y: 2, x: 1 } })),
      serializeManifest(sample({ a: { x: 1, y: 2 }, b: 1 })),
    );
  });

  it('missing manifest: SHARD_FORMAT "incomplete shard set" with a hint to rerun or resume', async () => {
    const dir = join(root, 'incomplete');
    await mkdir(dir);
    await assert.rejects(
      readManifest(dir),
      (e: BltError) =>
        e.code === 'SHARD_FORMAT' && /incomplete shard set/.test(e.message) && /resume/.test(e.hint ?? ''),
    );
    await assert.rejects(readShardSet(dir).next(), (e: BltError) => e.code === 'SHARD_FORMAT');
    await assert.rejects(
      readManifest(join(root, 'nowhere')),
      (e: BltError) => e.code === 'NOT_FOUND' && /does not exist/.test(e.message),
    );
  });

  it('another version: the error names the found and the expected version', async () => {
    const dir = join(root, 'old');
    await mkdir(dir);
    await writeFile(
      join(dir, 'index.json'),
      JSON.stringify({ ...sample(), version: 0, tool: { name: 'blt-toolkit', version: '0.0.1' } }),
    );
    await assert.rejects(
      readManifest(dir),
      (e: BltError) =>
        e.code === 'SHARD_FORMAT' &&
        /format version 0 found, this tool reads version 1/.test(e.message) &&
        /0\.0\.1/.test(e.hint ?? ''),
    );
  });

  it('rejects a foreign format, malformed JSON, unknown fields and bad records', async () => {
    const dir = join(root, 'bad');
    await mkdir(dir);
    const cases: [unknown, RegExp][] = [
      [{ ...sample(), format: 'mds' }, /expected format "blt-shards", found "mds"/],
      [{ ...sample(), extra: 1 }, /unknown field\(s\) extra/],
      [{ ...sample(), shards: [{ file: '../x.parquet', rows: 1, bytes: 1, sha256: HEX }] }, /shards\[0\]/],
      [{ ...sample(), totals: { documents: -1 } }, /totals/],
      [{ ...sample(), fingerprints: { content: 'xyz' } }, /fingerprints.content/],
    ];
    for (const [value, re] of cases) {
      await writeFile(join(dir, 'index.json'), JSON.stringify(value));
      await assert.rejects(
        readManifest(dir),
        (e: BltError) => e.code === 'SHARD_FORMAT' && re.test(e.message),
        String(re),
      );
    }
    await writeFile(join(dir, 'index.json'), '{"format": ');
    await assert.rejects(
      readManifest(dir),
      (e: BltError) => e.code === 'SHARD_FORMAT' && /does not parse/.test(e.message),
    );
    await assert.rejects(writeManifest(dir, { ...sample(), version: 2 }), (e: BltError) => e.code === 'SHARD_FORMAT');
    assert.match(
      await readFile(join(dir, 'index.json'), 'utf8'),
      /^\{"format": $/,
      'a rejected manifest is not written',
    );
  });
});

describe('shards: fingerprints', () => {
  it('is the sha256 hex of an unambiguous encoding', () => {
    const f = fingerprint(['ab']);
    assert.match(f, /^[0-9a-f]{64}$/);
    assert.notEqual(f, fingerprint(['a', 'b']));
    assert.notEqual(fingerprint(['x']), fingerprint([new TextEncoder().encode('x')]));
    assert.notEqual(fingerprint(['{}']), fingerprint([{}]));
    assert.notEqual(fingerprint([]), fingerprint(['']));
  });

  it('objects are canonical: key order does not matter, values do', () => {
    assert.equal(fingerprint([{ a: 1, b: [1, { d: 2, c: 3 }] }]), fingerprint([{ b: [1, { c: 3, d: 2 }], a: 1 }]));
    assert.notEqual(fingerprint([{ a: 1 }]), fingerprint([{ a: 2 }]));
    assert.equal(canonicalJson({ z: undefined, b: 'x', a: null }), '{"a":null,"b":"x"}');
  });

  it('the hasher equals the one-shot form and chains', () => {
    const bytes = Uint8Array.of(0, 255, 3);
    assert.equal(
      fingerprintHasher().add('model').add(bytes).add({ k: 1 }).digest(),
      fingerprint(['model', bytes, { k: 1 }]),
    );
    const content = fingerprint([bytes]);
    assert.notEqual(fingerprint([content, { threshold: 1.335 }]), fingerprint([content, { threshold: 1.336 }]));
  });

  it('rejects values JSON cannot represent faithfully', () => {
    assert.throws(
      () => fingerprint([{ x: NaN }]),
      (e: BltError) => e.code === 'BAD_OPTION' && /finite number at \$\.x/.test(e.message),
    );
    assert.throws(
      () => fingerprint([{ w: new Float32Array(2) }]),
      (e: BltError) =>
        e.code === 'BAD_OPTION' && /Float32Array/.test(e.message) && /Uint8Array part/.test(e.hint ?? ''),
    );
    assert.throws(
      () => fingerprint([new Map()]),
      (e: BltError) => e.code === 'BAD_OPTION',
    );
  });
});
