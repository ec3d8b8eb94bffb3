import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../helpers/run-cli.js';
import { tempDir, writeCorpus } from '../helpers/preprocess-fixtures.js';

/** issue 13 item 6: a directory input never re-ingests earlier outputs, its own `--out` included. */
describe('blt preprocess: earlier outputs inside an input directory', function () {
  this.timeout(300_000);
  const run = (
    inputs: string[],
    out: string,
  ): { status: number | null; summary: { status: string; documents: number }; stderr: string } => {
    const r = runCli([
      'preprocess',
      ...inputs,
      '--out',
      out,
      '--mode',
      'space',
      '--no-ngram-ids',
      '--workers',
      '0',
      '--json',
    ]);
    return {
      status: r.status,
      summary:
        r.status === 0
          ? (JSON.parse(r.stdout) as { status: string; documents: number })
          : { status: 'failed', documents: 0 },
      stderr: r.stderr,
    };
  };

  it('an --out inside the input directory: the rerun finds the set complete instead of failing, nothing is read twice', async () => {
    const data = await tempDir('rerun');
    await writeCorpus(data, 40);
    const out = join(data, 'out');
    const first = run([data], out);
    assert.equal(first.status, 0, first.stderr);
    assert.equal(first.summary.documents, 40);
    const again = run([data], out);
    assert.equal(again.status, 0, again.stderr);
    assert.equal(again.summary.status, 'already-complete');
    assert.match(again.stderr, /skipped .*out: it is this run's output directory/);
  });

  it("another run's shard set inside the input directory is skipped and reported; documents are not duplicated", async () => {
    const data = await tempDir('rerun2');
    await writeCorpus(data, 30);
    const earlier = join(data, 'earlier');
    assert.equal(run([data], earlier).status, 0);
    await mkdir(join(data, 'more'));
    await writeFile(
      join(data, 'more', 'extra.jsonl'),
      `${JSON.stringify({ id: 'extra', text: 'one more document' })}\n`,
    );
    const out = await tempDir('rerun2-out');
    const r = run([data], out);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.summary.documents, 31, 'the 30 corpus documents and the extra one, nothing from the earlier set');
    assert.match(r.stderr, /skipped .*earlier: it is a shard set/);
  });
});
