import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { detectInput, listInputs, listInputsReport } from '../../../src/ingest/index.js';
import { tempDir } from '../../fixtures/ingest/helpers.js';

describe('ingest: listing inputs', () => {
  let dir: string;
  let cleanup: () => void;
  before(() => {
    ({ dir, cleanup } = tempDir());
    const files = [
      'b.jsonl',
      'a.txt',
      'sub/c.parquet',
      'b-c/z.txt.gz',
      'sub/deeper/d.jsonl.zst',
      '.hidden/x.txt',
      '.dot.txt',
      'notes',
    ];
    for (const f of files) {
      mkdirSync(join(dir, f, '..'), { recursive: true });
      writeFileSync(join(dir, f), f);
    }
    symlinkSync(join(dir, 'sub'), join(dir, 'sub', 'loop')); // a cycle must not hang the listing
  });
  after(() => cleanup());

  it('detects kind and compression from the name', () => {
    const cases: [string, string, string][] = [
      ['a.jsonl', 'jsonl', 'none'],
      ['a.JSON', 'jsonl', 'none'],
      ['a.ndjson.gz', 'jsonl', 'gzip'],
      ['a.jsonl.zst', 'jsonl', 'zstd'],
      ['a.jsonl.zstd', 'jsonl', 'zstd'],
      ['a.txt', 'text', 'none'],
      ['README', 'text', 'none'],
      ['x.csv.gz', 'text', 'gzip'],
      ['a.gz', 'text', 'gzip'],
      ['a.parquet', 'parquet', 'none'],
      ['a.arrow', 'arrow', 'none'],
      ['a.feather', 'arrow', 'none'],
      ['dir.v2/a.ipc', 'arrow', 'none'],
      ['-', 'stdin', 'none'],
    ];
    for (const [path, kind, compression] of cases) assert.deepEqual(detectInput(path), { kind, compression }, path);
  });

  it('refuses Parquet/Arrow compressed as a whole, saying how to fix it', () => {
    assert.throws(
      () => detectInput('x.parquet.gz'),
      (e: Error & { code?: string }) =>
        e.code === 'BAD_INPUT' && /x\.parquet\.gz/.test(e.message) && /gunzip/.test(e.message),
    );
  });

  it('lists a directory recursively, sorted by full path, hidden names skipped, cycles followed once', async () => {
    const files = await listInputs([dir]);
    assert.deepEqual(
      files.map((f) => relative(dir, f.path)),
      ['a.txt', 'b-c/z.txt.gz', 'b.jsonl', 'notes', 'sub/c.parquet', 'sub/deeper/d.jsonl.zst'],
    );
    assert.deepEqual(
      files.map((f) => [f.kind, f.compression]),
      [
        ['text', 'none'],
        ['text', 'gzip'],
        ['jsonl', 'none'],
        ['text', 'none'],
        ['parquet', 'none'],
        ['jsonl', 'zstd'],
      ],
    );
    assert.equal(files[0]?.size, 'a.txt'.length);
    assert.deepEqual(await listInputs([dir]), files, 'the same listing every time');
  });

  it('expands globs (sorted), keeps argument order, drops duplicates, takes "-" as stdin', async () => {
    const b = join(dir, 'b.jsonl');
    const files = await listInputs([b, join(dir, '**/*.txt*'), '-', join(dir, 'b.jsonl'), dir, '-']);
    assert.deepEqual(
      files.map((f) => (f.path === '-' ? '-' : relative(dir, f.path))),
      ['b.jsonl', 'a.txt', 'b-c/z.txt.gz', '-', 'notes', 'sub/c.parquet', 'sub/deeper/d.jsonl.zst'],
    );
    assert.deepEqual(files[3], { path: '-', size: 0, kind: 'stdin', compression: 'none' });
  });

  it('keeps relative globs relative to the working directory', async () => {
    const files = await listInputs(['test/fixtures/ingest/lines.jsonl*']);
    assert.deepEqual(
      files.map((f) => f.path),
      [
        'test/fixtures/ingest/lines.jsonl',
        'test/fixtures/ingest/lines.jsonl.gz',
        'test/fixtures/ingest/lines.jsonl.zst',
      ],
    );
  });

  it('reports missing paths and empty globs as NOT_FOUND with the path', async () => {
    const missing = join(dir, 'nope.jsonl');
    await assert.rejects(
      listInputs([missing]),
      (e: Error & { code?: string }) => e.code === 'NOT_FOUND' && e.message.includes(missing),
    );
    const glob = join(dir, '*.nothing');
    await assert.rejects(
      listInputs([glob]),
      (e: Error & { code?: string }) => e.code === 'NOT_FOUND' && e.message.includes(glob) && /glob/.test(e.message),
    );
    await assert.rejects(listInputs([]), (e: Error & { code?: string }) => e.code === 'BAD_OPTION');
  });
});

describe('ingest: listing skips earlier outputs (issue 13 item 6)', () => {
  let dir: string;
  let cleanup: () => void;
  const put = (f: string, content = f): void => {
    mkdirSync(join(dir, f, '..'), { recursive: true });
    writeFileSync(join(dir, f), content);
  };
  before(() => {
    ({ dir, cleanup } = tempDir());
    put('a.jsonl');
    put('notes/index.json', '{"pages":[1]}'); // an index.json of another kind is input
    put('done/index.json', JSON.stringify({ format: 'blt-shards', version: 1 }));
    put('done/shard-00000.parquet');
    put('done/quarantine.jsonl', '{"reason":"x"}\n');
    put('running/.shard-writer-state.json', '{}');
    put('running/quarantine.jsonl');
    put('staged/.staging/task-0.arrow');
    put('staged/x.jsonl');
    put('resumable/run.json', '{}');
    put('resumable/completions/task-000000.json', '{}');
    put('out/quarantine.jsonl');
  });
  after(() => cleanup());

  it('a directory input skips shard sets inside it (manifest, writer state, staging, run records) and reports each', async () => {
    const skipped: string[] = [];
    const r = await listInputsReport([dir], { onSkip: (s) => skipped.push(`${relative(dir, s.path)}:${s.reason}`) });
    assert.deepEqual(
      r.files.map((f) => relative(dir, f.path)),
      ['a.jsonl', 'notes/index.json', 'out/quarantine.jsonl'],
    );
    assert.deepEqual(skipped.sort(), [
      'done:shard-set',
      'resumable:shard-set',
      'running:shard-set',
      'staged:shard-set',
    ]);
    assert.deepEqual(r.skipped.map((s) => `${relative(dir, s.path)}:${s.reason}`).sort(), skipped);
  });

  it("skips the run's own output directory in directory, glob and file arguments", async () => {
    const out = join(dir, 'out');
    const r = await listInputsReport([dir, join(dir, '**/*.jsonl'), join(out, 'quarantine.jsonl')], { exclude: [out] });
    assert.deepEqual(
      r.files.map((f) => relative(dir, f.path)),
      ['a.jsonl', 'notes/index.json'],
    );
    assert.ok(
      r.skipped.some((s) => s.reason === 'output' && relative(dir, s.path) === 'out'),
      JSON.stringify(r.skipped),
    );
  });

  it('a glob does not match files inside shard sets (quarantine.jsonl of an earlier run)', async () => {
    const r = await listInputsReport([join(dir, '**/*.jsonl')]);
    assert.deepEqual(
      r.files.map((f) => relative(dir, f.path)),
      ['a.jsonl', 'out/quarantine.jsonl'],
    );
    assert.deepEqual(r.skipped.map((s) => relative(dir, s.path)).sort(), ['done', 'running', 'staged']);
  });

  it('runs `check` on a symlinked directory before listing what is behind it', async () => {
    const { dir: far, cleanup: done } = tempDir();
    try {
      writeFileSync(join(far, 'behind.txt'), 'x');
      mkdirSync(join(dir, 'linked'));
      writeFileSync(join(dir, 'linked', 'here.txt'), 'y');
      symlinkSync(far, join(dir, 'linked', 'away'));
      const checked: string[] = [];
      await assert.rejects(
        listInputs([join(dir, 'linked')], {
          check: (p) => {
            checked.push(relative(dir, p));
            if (p.endsWith('away')) throw new Error('refused the link');
          },
        }),
        /refused the link/,
      );
      assert.deepEqual(checked, ['linked/away'], 'the link is checked first, nothing behind it');
    } finally {
      done();
    }
  });

  it('runs `check` on every path before saying anything about its kind', async () => {
    put('far/x.parquet.gz'); // detectInput would refuse this one, naming it
    const checked: string[] = [];
    await assert.rejects(
      listInputs([join(dir, 'far/*')], {
        check: (p) => {
          checked.push(p);
          throw new Error(`refused ${relative(dir, p)}`);
        },
      }),
      /refused far\/x\.parquet\.gz/,
    );
    assert.equal(checked.length, 1);
  });
});
