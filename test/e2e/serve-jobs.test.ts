import assert from 'node:assert/strict';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createServer, type BltServer } from '../../src/serve/server.js';
import type { JobRunner } from '../../src/serve/run-job.js';
import { computeShardStats } from '../../src/stats/shard-stats.js';
import { runCli } from '../helpers/run-cli.js';
import { shardHashes, tempDir, tinyModelDir, writeCorpus } from '../helpers/preprocess-fixtures.js';

interface Job {
  id: string;
  state: string;
  attempts: number;
  cancelRequested: boolean;
  options: { inputs: string[]; out: string };
  progress: { documents: number; bytes: number; fraction: number | null; mbPerSecond: number | null } | null;
  summary: { status: string; documents: number; resumedFromTask: number } | null;
  error: { message: string } | null;
}
interface ErrorBody {
  error: { code: string; message: string; hint?: string };
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

async function waitFor(url: string, id: string, states: string[]): Promise<Job> {
  for (;;) {
    const j = (await call('GET', `${url}/v1/jobs/${id}`)).json as Job;
    if (states.includes(j.state)) return j;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The events of a job's SSE stream until `end`. */
async function readEvents(url: string, id: string): Promise<Array<{ event: string; job: Job }>> {
  const res = await fetch(`${url}/v1/jobs/${id}/events`);
  assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
  const out: Array<{ event: string; job: Job }> = [];
  const decoder = new TextDecoder();
  let buf = '';
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buf += decoder.decode(chunk, { stream: true });
    let k;
    while ((k = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, k);
      buf = buf.slice(k + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (event && data) out.push({ event, job: JSON.parse(data) as Job });
    }
  }
  return out;
}

describe('blt serve: preprocessing jobs', function () {
  this.timeout(600_000);
  let model: string;
  let root: string;
  let outside: string;
  let corpus: string;
  let cacheDir: string;
  let server: BltServer;
  let url: string;
  const settings = { docsPerTask: 4, shardSizeBytes: 30_000, ngramSizes: [3, 4] };
  const cliArgs = (out: string, docsPerTask = 4): string[] => [
    'preprocess',
    corpus,
    '--out',
    out,
    '--entropy-model',
    model,
    '--docs-per-task',
    String(docsPerTask),
    '--shard-size',
    '30000',
    '--ngram-sizes',
    '3,4',
    '--workers',
    '2',
    '--quiet',
  ];

  before(async () => {
    model = await tinyModelDir();
    root = await tempDir('serve-root');
    outside = await tempDir('serve-outside');
    corpus = await writeCorpus(root, 120);
    await writeFile(join(outside, 'secret.txt'), 'not for clients\n');
    await symlink(join(outside, 'secret.txt'), join(root, 'link.txt'));
    await mkdir(join(root, 'mixed'));
    await writeFile(join(root, 'mixed', 'ok.txt'), 'fine\n');
    await symlink(outside, join(root, 'mixed', 'escape'));
    cacheDir = await tempDir('serve-state');
    server = await createServer({ cacheDir, entropyModel: model, roots: [root], workers: 2 });
    url = await server.listen(0);
  });
  after(async () => server?.close());

  it('refuses unknown options, wrong types and paths outside the roots (.., absolute, symlinks) with 4xx', async () => {
    const cases: Array<[unknown, number, RegExp]> = [
      [{ inputs: ['corpus.jsonl'], thresold: 1 }, 400, /Unknown field `thresold` in the job request/],
      [{ inputs: ['corpus.jsonl'], docsPerTask: '4' }, 400, /`docsPerTask` to be an integer/],
      [{ inputs: ['corpus.jsonl'], ngramIds: 'no' }, 400, /`ngramIds` to be true or false/],
      [{ inputs: ['corpus.jsonl'], workers: 64 }, 400, /`workers` to be an integer in \[0, 2\]/],
      [{ inputs: ['corpus.jsonl'], mode: 'static', patchSize: 4.5 }, 400, /patchSize.*integer/],
      [{ inputs: 'corpus.jsonl' }, 400, /`inputs` to be a non-empty array/],
      [{}, 400, /Expected `inputs`/],
      [{ inputs: ['-'] }, 400, /stdin/],
      [{ inputs: ['missing.jsonl'] }, 404, /does not exist/],
      [{ inputs: ['../serve-outside/secret.txt'] }, 403, /outside the server's --roots/],
      [{ inputs: [join(root, '..', 'x.txt')] }, 403, /outside/],
      [{ inputs: ['/etc/passwd'] }, 403, /outside/],
      [{ inputs: ['link.txt'] }, 403, /symbolic link leads out/],
      [{ inputs: ['mixed'] }, 403, /inputs\[0\].*escape/],
      [{ inputs: ['mixed/**/*.txt'] }, 403, /outside/],
      [{ inputs: ['corpus.jsonl'], out: join(outside, 'shards') }, 403, /`out`.*outside/],
      [{ inputs: ['corpus.jsonl'], entropyModel: outside }, 403, /`entropyModel`.*outside/],
    ];
    for (const [body, status, message] of cases) {
      const r = await call('POST', `${url}/v1/jobs`, body);
      assert.equal(r.status, status, `${JSON.stringify(body)} → ${r.text}`);
      const e = (r.json as ErrorBody).error;
      assert.match(`${e.message} ${e.hint ?? ''}`, message, r.text);
    }
    assert.equal(((await call('GET', `${url}/v1/jobs`)).json as { jobs: Job[] }).jobs.length, 0, 'nothing was queued');
    assert.equal((await call('GET', `${url}/v1/jobs/job-000000000000`)).status, 404);
    assert.equal((await call('GET', `${url}/v1/jobs/../../etc`)).status, 404);
  });

  it('a job runs runPreprocess: live SSE progress, the summary, and the shards of `blt preprocess` with the same settings', async () => {
    const ref = await tempDir('serve-ref');
    const cli = runCli(cliArgs(ref));
    assert.equal(cli.status, 0, cli.stderr);

    const r = await call('POST', `${url}/v1/jobs`, { inputs: ['corpus.jsonl'], out: 'shards/a', ...settings });
    assert.equal(r.status, 202, r.text);
    const job = r.json as Job;
    assert.match(job.id, /^job-[0-9a-f]{12}$/);
    assert.equal(job.options.out, join(root, 'shards/a'));
    const events = await readEvents(url, job.id);
    const last = events[events.length - 1];
    assert.equal(last?.event, 'end');
    assert.equal(last?.job.state, 'done');
    const docs = events.filter((e) => e.job.progress).map((e) => e.job.progress?.documents ?? 0);
    assert.ok(docs.length >= 2, `progress events: ${docs.join(',')}`);
    for (let i = 1; i < docs.length; i++) assert.ok((docs[i] as number) >= (docs[i - 1] as number));

    const done = (await call('GET', `${url}/v1/jobs/${job.id}`)).json as Job;
    assert.equal(done.state, 'done');
    assert.equal(done.summary?.status, 'done');
    assert.equal(done.summary?.documents, 120);
    assert.equal(done.progress?.fraction, 1);
    assert.deepEqual(await shardHashes(join(root, 'shards/a')), await shardHashes(ref));

    // the stats of the output are `blt stats --json`
    const stats = await call('GET', `${url}/v1/stats?dir=shards/a`);
    assert.equal(stats.status, 200, stats.text);
    assert.deepEqual(stats.json, JSON.parse(JSON.stringify(await computeShardStats(join(root, 'shards/a')))));
    const html = await fetch(`${url}/v1/stats/report?dir=${encodeURIComponent(join(root, 'shards/a'))}`);
    assert.match(html.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(await html.text(), /^<!DOCTYPE html>[\s\S]*<svg\b/);
    for (const [q, status, message] of [
      ['dir=..%2Fserve-outside', 403, /outside/],
      ['dir=mixed', 422, /not a complete shard set/],
      ['dir=nope', 404, /does not exist/],
      ['dir=shards/a&limit=3', 400, /Unknown field `limit` in the query string/],
      ['dir=shards/a&maxDocs=x', 400, /`maxDocs` to be an integer/],
      ['', 400, /Expected `dir`/],
    ] as Array<[string, number, RegExp]>) {
      const s = await call('GET', `${url}/v1/stats?${q}`);
      assert.equal(s.status, status, `${q} → ${s.text}`);
      assert.match((s.json as ErrorBody).error.message, message);
    }
    // a job without `out` writes under the cache directory, and /v1/stats reads it there
    const d = await call('POST', `${url}/v1/jobs`, { inputs: [corpus], ...settings, ngramIds: false, mode: 'space' });
    const dj = await waitFor(url, (d.json as Job).id, ['done', 'failed']);
    assert.equal(dj.state, 'done', JSON.stringify(dj.error));
    assert.equal(dj.options.out, join(cacheDir, 'shards', dj.id));
    assert.equal((await call('GET', `${url}/v1/stats?dir=${encodeURIComponent(dj.options.out)}`)).status, 200);
  });

  it('DELETE cancels a running job cleanly; the same job submitted again resumes and matches the CLI', async () => {
    // a longer job (600 one-document tasks), so that it is still running when cancelled
    await mkdir(join(root, 'long'));
    const long = await writeCorpus(join(root, 'long'), 600);
    const ref = await tempDir('serve-ref2');
    const cli = runCli(cliArgs(ref, 1).map((a) => (a === corpus ? long : a)));
    assert.equal(cli.status, 0, cli.stderr);
    const body = { inputs: ['long/corpus.jsonl'], out: 'shards/c', ...settings, docsPerTask: 1 };
    const r = await call('POST', `${url}/v1/jobs`, body);
    const id = (r.json as Job).id;
    for (;;) {
      const j = (await call('GET', `${url}/v1/jobs/${id}`)).json as Job;
      assert.ok(j.state === 'queued' || j.state === 'running', `still going: ${j.state}`);
      if ((j.progress?.documents ?? 0) > 0) break;
      await new Promise((res) => setTimeout(res, 20));
    }
    const c = await call('DELETE', `${url}/v1/jobs/${id}`);
    assert.ok(c.status === 200 || c.status === 202, c.text);
    const cancelled = await waitFor(url, id, ['cancelled', 'done', 'failed']);
    assert.equal(cancelled.state, 'cancelled');
    assert.ok((cancelled.progress?.documents ?? 0) < 600);
    assert.equal((await call('DELETE', `${url}/v1/jobs/${id}`)).status, 409);
    const again = await call('POST', `${url}/v1/jobs`, body);
    const finished = await waitFor(url, (again.json as Job).id, ['done', 'failed']);
    assert.equal(finished.state, 'done', JSON.stringify(finished.error));
    assert.equal(finished.summary?.documents, 600);
    assert.ok((finished.summary?.resumedFromTask ?? 0) > 0, 'the second job resumed');
    assert.deepEqual(await shardHashes(join(root, 'shards/c')), await shardHashes(ref));
  });

  it('runs up to --job-concurrency jobs at once, in submission order; a failing job is `failed` with its error', async () => {
    const state = await tempDir('serve-conc');
    const started: string[] = [];
    const stalling: JobRunner = async (options, hooks) => {
      started.push(options.out);
      while (!hooks.shouldStop()) await new Promise((res) => setTimeout(res, 10));
      return {
        status: 'interrupted',
        out: options.out,
        documents: 0,
        bytes: 0,
        tokens: 0,
        patches: 0,
        meanPatchLength: 0,
        quarantined: 0,
        tasks: 0,
        resumedFromTask: 0,
        shards: 0,
        workers: 0,
        engine: null,
        wallSeconds: 0,
        mbPerSecond: 0,
        fingerprints: {} as never,
      };
    };
    const s = await createServer({
      cacheDir: state,
      entropyModel: model,
      roots: [root],
      workers: 1,
      jobConcurrency: 2,
      runner: stalling,
    });
    const u = await s.listen(0);
    try {
      const ids: string[] = [];
      for (const out of ['q1', 'q2', 'q3'])
        ids.push(((await call('POST', `${u}/v1/jobs`, { inputs: ['corpus.jsonl'], out })).json as Job).id);
      await waitFor(u, ids[1] as string, ['running']);
      const states = await Promise.all(
        ids.map(async (id) => ((await call('GET', `${u}/v1/jobs/${id}`)).json as Job).state),
      );
      assert.deepEqual(states, ['running', 'running', 'queued']);
      assert.deepEqual(started, [join(root, 'q1'), join(root, 'q2')]);
      const c = await call('DELETE', `${u}/v1/jobs/${ids[2]}`);
      assert.equal(c.status, 200);
      assert.equal((c.json as Job).state, 'cancelled');
    } finally {
      await s.close();
    }

    await writeCorpus(join(root, 'mixed'), 30, { bad: true });
    const r = await call('POST', `${url}/v1/jobs`, {
      inputs: ['mixed/corpus.jsonl'],
      out: 'shards/bad',
      onError: 'fail',
      ...settings,
    });
    const failed = await waitFor(url, (r.json as Job).id, ['done', 'failed']);
    assert.equal(failed.state, 'failed');
    assert.match(failed.error?.message ?? '', /Bad input record: .*corpus\.jsonl.*line/);
  });

  it('queued and running jobs survive a shutdown: persisted atomically, resumed by the next server', async () => {
    const state = await tempDir('serve-persist');
    let calls = 0;
    const stalling: JobRunner = async (options, hooks) => {
      calls++;
      while (!hooks.shouldStop()) await new Promise((res) => setTimeout(res, 10));
      return {
        status: 'interrupted',
        out: options.out,
        documents: 0,
        bytes: 0,
        tokens: 0,
        patches: 0,
        meanPatchLength: 0,
        quarantined: 0,
        tasks: 0,
        resumedFromTask: 0,
        shards: 0,
        workers: 0,
        engine: null,
        wallSeconds: 0,
        mbPerSecond: 0,
        fingerprints: {} as never,
      };
    };
    const first = await createServer({
      cacheDir: state,
      entropyModel: model,
      roots: [root],
      workers: 1,
      runner: stalling,
    });
    const u1 = await first.listen(0);
    const a = (await call('POST', `${u1}/v1/jobs`, { inputs: ['corpus.jsonl'], out: 'shards/p1', ...settings }))
      .json as Job;
    const b = (await call('POST', `${u1}/v1/jobs`, { inputs: ['corpus.jsonl'], out: 'shards/p2', ...settings }))
      .json as Job;
    const clash = await call('POST', `${u1}/v1/jobs`, { inputs: ['corpus.jsonl'], out: 'shards/p2', ...settings });
    assert.equal(clash.status, 409);
    assert.match((clash.json as ErrorBody).error.message, /already writes to/);
    await waitFor(u1, a.id, ['running']);
    assert.equal(((await call('GET', `${u1}/v1/jobs/${b.id}`)).json as Job).state, 'queued');
    await first.close();
    assert.equal(calls, 1);
    const onDisk = JSON.parse(await readFile(join(state, 'jobs', `${a.id}.json`), 'utf8')) as Job;
    assert.equal(onDisk.state, 'queued', 'the interrupted job is persisted as queued');

    const second = await createServer({ cacheDir: state, entropyModel: model, roots: [root], workers: 1 });
    const u2 = await second.listen(0);
    try {
      for (const id of [a.id, b.id]) {
        const j = await waitFor(u2, id, ['done', 'failed']);
        assert.equal(j.state, 'done', JSON.stringify(j.error));
        assert.equal(j.summary?.documents, 120);
      }
      assert.deepEqual(await shardHashes(join(root, 'shards/p1')), await shardHashes(join(root, 'shards/a')));
      assert.equal(((await call('GET', `${u2}/v1/jobs/${a.id}`)).json as Job).attempts, 2);
    } finally {
      await second.close();
    }
  });
});
