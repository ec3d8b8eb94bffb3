/** Job records on the state contract: what the store writes it reads back; anything else is moved aside. */
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BltError } from '../../../src/core/errors.js';
import { JOB_FORMAT, JOB_VERSION, jobRecordCodec, type JobRecord } from '../../../src/serve/job-record.js';
import { JobStore, JOBS_DIR } from '../../../src/serve/job-store.js';
import { tempDir } from '../../helpers/preprocess-fixtures.js';

const record = (over: Partial<JobRecord> = {}): JobRecord => ({
  format: JOB_FORMAT,
  version: JOB_VERSION,
  id: 'job-0123456789ab',
  seq: 1,
  state: 'queued',
  createdAt: '2026-01-01T00:00:00.000Z',
  startedAt: null,
  finishedAt: null,
  options: { inputs: ['/data/a.jsonl'], out: '/data/out', workers: 1 },
  attempts: 0,
  cancelRequested: false,
  progress: null,
  summary: null,
  error: null,
  ...over,
});

function stateFormat(value: unknown, message: RegExp): void {
  assert.throws(
    () => jobRecordCodec.decode(value, 'job.json'),
    (e: unknown) => e instanceof BltError && e.code === 'STATE_FORMAT' && message.test(e.message),
  );
}

describe('serve: job records (state contract)', () => {
  it('decodes what the server writes, unchanged', () => {
    const r = record({ state: 'failed', error: { code: 'BAD_INPUT', message: 'x' }, attempts: 2 });
    assert.deepEqual(jobRecordCodec.decode(JSON.parse(JSON.stringify(r))), r);
  });

  it('refuses another format or version, unknown or missing fields and bad values, naming the field', () => {
    stateFormat({ ...record(), format: 'other' }, /expected format "blt-serve-job", got "other"/);
    stateFormat({ ...record(), version: 2 }, /expected version 1, got 2/);
    stateFormat({ ...record(), extra: 1 }, /unknown field "extra"/);
    const { seq: _seq, ...noSeq } = record();
    stateFormat(noSeq, /missing field "seq"/);
    stateFormat(record({ state: 'paused' as JobRecord['state'] }), /`state` to be one of queued, running/);
    stateFormat(record({ id: 'job-1' }), /`id` to be a job id/);
    stateFormat(record({ attempts: -1 }), /`attempts` to be an integer ≥ 0/);
    stateFormat({ ...record(), options: { out: 'x' } }, /`options.inputs` to be an array/);
  });

  it('the store reads back what it saved and moves unreadable records aside', async () => {
    const dir = await tempDir('job-store');
    const logs: string[] = [];
    const store = new JobStore(dir, (m) => logs.push(m));
    await store.load();
    const r = record();
    await store.save(r);
    await writeFile(
      join(dir, JOBS_DIR, 'job-ffffffffffff.json'),
      JSON.stringify({ ...r, id: 'job-ffffffffffff', v: 3 }),
    );
    await writeFile(join(dir, JOBS_DIR, 'job-eeeeeeeeeeee.json'), JSON.stringify(r));
    assert.deepEqual(await store.load(), [r]);
    assert.deepEqual((await readdir(join(dir, JOBS_DIR))).sort(), [
      'job-0123456789ab.json',
      'job-eeeeeeeeeeee.json.bad',
      'job-ffffffffffff.json.bad',
    ]);
    assert.equal(logs.length, 2);
    assert.match(logs.join('\n'), /unknown field "v"/);
    assert.match(logs.join('\n'), /is not named job-0123456789ab\.json|not named/);
    assert.equal(
      await readFile(join(dir, JOBS_DIR, 'job-0123456789ab.json'), 'utf8'),
      `${JSON.stringify(r, null, 1)}\n`,
    );
  });
});
