/**
 * Progress of `blt preprocess` in input bytes: for JSONL (and Parquet) the total is the input
 * size on disk and the value the bytes read up to the last committed task, so the bar ends at
 * total/total and the ETA is meaningful from the first task (it used to show documents over a
 * total taken from the first task: "44/4, ETA 0 s").
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { pipelineProgressHook } from '../../src/cli/progress.js';
import { resolvePreprocessConfig } from '../../src/preprocess/config.js';
import { runPreprocess, type PreprocessProgress } from '../../src/preprocess/run-preprocess.js';
import { ROOT } from '../helpers/run-cli.js';

describe('preprocess: progress counts input bytes read', function () {
  this.timeout(300_000);
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'blt-progress-'));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('JSONL: total = the file size, values rise task by task to the total, a resumed run starts where it stopped', async () => {
    const input = join(root, 'in.jsonl');
    await writeFile(input, await readFile(join(ROOT, 'data/samples/multilingual.jsonl')));
    const size = (await stat(input)).size;
    const events: PreprocessProgress[] = [];
    const base = { inputs: [input], mode: 'space' as const, ngramIds: false, docsPerTask: 4, workers: 0 };
    const s = await runPreprocess(resolvePreprocessConfig({ ...base, out: join(root, 'a') }), {
      progress: (p) => events.push(p),
    });
    assert.ok(events.length >= 5, `${events.length} events`);
    assert.equal(events.length, s.tasks);
    for (const e of events) assert.equal(e.inputTotalBytes, size);
    const values = events.map((e) => e.inputBytes);
    for (let i = 1; i < values.length; i++)
      assert.ok((values[i] as number) > (values[i - 1] as number), `rises: ${values.join(',')}`);
    assert.ok((values[0] as number) > 0 && (values[0] as number) < size / 2);
    assert.equal(values.at(-1), size);

    // stop after 3 tasks, resume: the resumed run's first value is past the stopped run's last
    let n = 0;
    const out = join(root, 'b');
    const first = await runPreprocess(resolvePreprocessConfig({ ...base, out }), {
      shouldStop: () => n >= 3,
      progress: () => void n++,
    });
    assert.equal(first.status, 'interrupted');
    const resumed: PreprocessProgress[] = [];
    await runPreprocess(resolvePreprocessConfig({ ...base, out }), { progress: (p) => resumed.push(p) });
    assert.equal(resumed[0]?.inputStartBytes, resumed[0]?.inputBytes);
    assert.ok((resumed[0]?.inputBytes as number) > (values[2] as number));
    assert.equal(resumed.at(-1)?.inputBytes, size);
  });

  it('the CLI reporter shows input MB over the input total with an ETA from the rate', async () => {
    const stream = new PassThrough();
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    let t = 0;
    const hook = pipelineProgressHook('preprocess', 'json', () => t, stream);
    const ev = (inputBytes: number): Parameters<typeof hook.onProgress>[0] => ({
      documents: inputBytes / 1000,
      quarantined: 0,
      bytes: inputBytes * 0.9,
      inputBytes,
      inputStartBytes: 1e6,
      inputTotalBytes: 12e6,
    });
    t = 1000;
    hook.onProgress(ev(1e6));
    t = 4000;
    hook.onProgress(ev(4e6)); // 3 MB in 3 s since the start: 8 MB left → 8 s
    await new Promise((r) => setImmediate(r));
    const lines = Buffer.concat(chunks)
      .toString('utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { value: number; total: number; eta_s: number | null });
    assert.deepEqual(
      lines.map((l) => [l.value, l.total]),
      [
        [1, 12],
        [4, 12],
      ],
    );
    assert.equal(lines[1]?.eta_s, 8); // the reporter starts at the first event (t = 1 s, 1 MB): 3 MB in 3 s, 8 MB left
  });
});
