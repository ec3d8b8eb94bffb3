import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli, ROOT } from '../helpers/run-cli.js';
import { shardHashes, tempDir, tinyModelDir, writeCorpus } from '../helpers/preprocess-fixtures.js';

interface Job {
  id: string;
  state: string;
  attempts: number;
  progress: { documents: number } | null;
  summary: { status: string; documents: number; resumedFromTask: number } | null;
  error: { message: string } | null;
}

/** `blt serve` as a child process; resolves with its URL once it listens. */
function startServer(args: string[]): Promise<{ child: ChildProcess; url: string; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--port', '0', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  let err = '';
  child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening on (\S+)/.exec(out);
      if (m?.[1]) resolve({ child, url: m[1], exited });
    });
    void exited.then((code) => reject(new Error(`blt serve exited (${code}) before listening:\n${err}`)));
  });
}

async function call(
  method: string,
  url: string,
  body?: unknown,
): Promise<{ status: number; json: unknown; text: string }> {
  const r = await fetch(url, {
    method,
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  const text = await r.text();
  return {
    status: r.status,
    text,
    json: (r.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : null,
  };
}

/** Follows the job's event stream until it has done at least `docs` documents (or ended). */
async function untilDocuments(url: string, id: string, docs: number): Promise<Job> {
  const res = await fetch(`${url}/v1/jobs/${id}/events`);
  const decoder = new TextDecoder();
  let buf = '';
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error('the event stream ended before the job reached the count');
      buf += decoder.decode(value, { stream: true });
      let k;
      while ((k = buf.indexOf('\n\n')) >= 0) {
        const data = /^data: (.*)$/m.exec(buf.slice(0, k))?.[1];
        buf = buf.slice(k + 2);
        if (!data) continue;
        const j = JSON.parse(data) as Job;
        if ((j.progress?.documents ?? 0) >= docs || (j.state !== 'running' && j.state !== 'queued')) return j;
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

async function waitDone(url: string, id: string): Promise<Job> {
  for (;;) {
    const j = (await call('GET', `${url}/v1/jobs/${id}`)).json as Job;
    if (j.state === 'done' || j.state === 'failed' || j.state === 'cancelled') return j;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('blt serve: killed or stopped during a job, started again', function () {
  this.timeout(600_000);
  let model: string;
  let root: string;
  let expected: Record<string, string>;
  const body = (out: string): object => ({
    inputs: ['corpus.jsonl'],
    out,
    docsPerTask: 2,
    shardSizeBytes: 30_000,
    ngramSizes: [3, 4],
  });

  before(async () => {
    model = await tinyModelDir();
    root = await tempDir('serve-kill-root');
    const corpus = await writeCorpus(root, 400);
    const ref = await tempDir('serve-kill-ref');
    const cli = runCli([
      'preprocess',
      corpus,
      '--out',
      ref,
      '--entropy-model',
      model,
      '--docs-per-task',
      '2',
      '--shard-size',
      '30000',
      '--ngram-sizes',
      '3,4',
      '--workers',
      '1',
      '--quiet',
    ]);
    assert.equal(cli.status, 0, cli.stderr);
    expected = await shardHashes(ref);
    assert.ok(Object.keys(expected).length > 1);
  });

  const serverArgs = (state: string): string[] => [
    '--cache-dir',
    state,
    '--roots',
    root,
    '--entropy-model',
    model,
    '--workers',
    '1',
    '--quiet',
  ];

  it('SIGKILL mid-job: the restarted server resumes the job from its completion records; shards equal `blt preprocess`', async () => {
    const state = await tempDir('serve-kill-state');
    const s1 = await startServer(serverArgs(state));
    const job = (await call('POST', `${s1.url}/v1/jobs`, body('out-kill'))).json as Job;
    const seen = await untilDocuments(s1.url, job.id, 20);
    s1.child.kill('SIGKILL');
    await s1.exited;
    assert.equal(seen.state, 'running', 'killed while running');
    const onDisk = JSON.parse(await readFile(join(state, 'jobs', `${job.id}.json`), 'utf8')) as Job;
    assert.equal(onDisk.state, 'running', 'the record says running: the server died without a word');

    const s2 = await startServer(serverArgs(state));
    try {
      const done = await waitDone(s2.url, job.id);
      assert.equal(done.state, 'done', JSON.stringify(done.error));
      assert.equal(done.attempts, 2);
      assert.equal(done.summary?.documents, 400);
      assert.ok((done.summary?.resumedFromTask ?? 0) > 0, 'it resumed instead of starting over');
      assert.deepEqual(await shardHashes(join(root, 'out-kill')), expected);
    } finally {
      s2.child.kill('SIGKILL');
      await s2.exited;
    }
  });

  it('SIGTERM mid-job: running jobs checkpoint, state is persisted, the process exits 0; the next start finishes the job', async () => {
    const state = await tempDir('serve-term-state');
    const s1 = await startServer(serverArgs(state));
    const job = (await call('POST', `${s1.url}/v1/jobs`, body('out-term'))).json as Job;
    const queued = (await call('POST', `${s1.url}/v1/jobs`, body('out-term-2'))).json as Job;
    await untilDocuments(s1.url, job.id, 20);
    s1.child.kill('SIGTERM');
    assert.equal(await s1.exited, 0);
    for (const id of [job.id, queued.id]) {
      const onDisk = JSON.parse(await readFile(join(state, 'jobs', `${id}.json`), 'utf8')) as Job;
      assert.equal(onDisk.state, 'queued', `${id} is persisted as queued`);
    }
    const s2 = await startServer(serverArgs(state));
    try {
      for (const [id, out] of [
        [job.id, 'out-term'],
        [queued.id, 'out-term-2'],
      ] as const) {
        const done = await waitDone(s2.url, id);
        assert.equal(done.state, 'done', JSON.stringify(done.error));
        assert.deepEqual(await shardHashes(join(root, out)), expected);
      }
      s2.child.kill('SIGTERM');
      assert.equal(await s2.exited, 0);
    } finally {
      s2.child.kill('SIGKILL');
    }
  });
});
