import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BltError } from '../../../src/core/errors.js';
import { resolvePreprocessConfig } from '../../../src/preprocess/config.js';
import { manifestCodec } from '../../../src/shards/manifest.js';
import {
  COMPLETIONS_DIR,
  completionCodec,
  readCompletion,
  writeCompletion,
  type TaskCompletion,
} from '../../../src/shardset/completions.js';
import { decodeUntagged } from '../../../src/shardset/record-codec.js';
import { checkRunRecord, RUN_FILE, runRecordCodec } from '../../../src/shardset/run-record.js';

const root = mkdtempSync(join(tmpdir(), 'blt-shardset-records-'));
after(() => rm(root, { recursive: true, force: true }));

const record = (task: number): TaskCompletion => ({
  task,
  records: 3,
  documents: 2,
  bytes: 40,
  tokens: 44,
  patches: 9,
  quarantined: [{ file: 'in.jsonl', line: 2, reason: 'invalid JSON' }],
});
const FP = { content: 'a'.repeat(64) };
const isState = (re: RegExp) => (e: BltError) => e.code === 'STATE_FORMAT' && re.test(e.message);

describe('shardset records (state contract)', () => {
  it('completion records: untagged files, byte-identical round trip, decoded by their codec', async () => {
    const dir = join(root, 'c');
    await writeCompletion(dir, record(4));
    const text = await readFile(join(dir, COMPLETIONS_DIR, 'task-000004.json'), 'utf8');
    assert.equal(text, `${JSON.stringify(record(4))}\n`, 'no tag is written');
    assert.deepEqual(await readCompletion(dir, 4), record(4));
    assert.equal(completionCodec.schema.kind, 'task-completion');
    assert.equal(completionCodec.schema.version, 1);
  });

  it('a malformed or misplaced completion record is STATE_FORMAT naming the task and the field', async () => {
    const dir = join(root, 'bad');
    await mkdir(join(dir, COMPLETIONS_DIR), { recursive: true });
    const path = join(dir, COMPLETIONS_DIR, 'task-000000.json');
    const cases: Array<[unknown, RegExp]> = [
      [{ ...record(0), records: -1 }, /task 0[\s\S]*expected `records` to be an integer ≥ 0, got -1/],
      [{ ...record(0), extra: 1 }, /unknown field "extra"/],
      [{ ...record(0), quarantined: [{ line: 1 }] }, /quarantined\[0\]/],
      [record(3), /it is the record of task 3/],
    ];
    for (const [value, re] of cases) {
      await writeFile(path, JSON.stringify(value));
      await assert.rejects(readCompletion(dir, 0), isState(re), String(re));
    }
    const { patches: _p, ...noPatches } = record(0);
    assert.throws(() => decodeUntagged(completionCodec, noPatches, 'x'), isState(/missing field "patches"/));
    await writeFile(path, '{"task": 0,');
    await assert.rejects(readCompletion(dir, 0), isState(/does not parse/));
  });

  it('run.json: written untagged; a damaged one is named, another run is refused', async () => {
    const c = resolvePreprocessConfig({ inputs: ['in.jsonl'], out: join(root, 'r'), mode: 'space' });
    await checkRunRecord(c, FP);
    const text = await readFile(join(c.out, RUN_FILE), 'utf8');
    const parsed = decodeUntagged(runRecordCodec, JSON.parse(text), RUN_FILE);
    assert.deepEqual(parsed.fingerprints, FP);
    assert.ok(!('kind' in parsed));
    await checkRunRecord(c, FP); // same run: accepted
    await assert.rejects(checkRunRecord(c, { content: 'b'.repeat(64) }), isState(/unfinished run with other inputs/));
    await writeFile(join(c.out, RUN_FILE), '{"config": {}}');
    await assert.rejects(checkRunRecord(c, FP), isState(/Invalid run record[\s\S]*missing field "fingerprints"/));
  });

  it('the manifest is a state tagged by format/version', () => {
    assert.equal(manifestCodec.schema.kind, 'blt-shards');
    assert.deepEqual(manifestCodec.schema.tagKeys, { kind: 'format', version: 'version' });
  });
});
