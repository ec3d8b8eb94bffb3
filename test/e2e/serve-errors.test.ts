import assert from 'node:assert/strict';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EntropyScorer } from '../../src/entropy/open-scorer.js';
import { createServer, type BltServer } from '../../src/serve/server.js';
import { tempDir } from '../helpers/preprocess-fixtures.js';

interface ErrorBody {
  statusCode: number;
  error: { code: string; message: string; hint?: string };
}

/** issue 13 item 11: the status codes and hints docs/serve.md promises, and no names from outside the roots. */
describe('blt serve: media types, body limits and listings through symbolic links', function () {
  this.timeout(120_000);
  let server: BltServer;
  let url: string;
  let root: string;
  let outside: string;
  const fake: EntropyScorer = {
    engine: 'fake',
    detail: 'test scorer',
    fingerprint: 'f',
    score: async (docs) => docs.map((d) => new Float32Array(d.length).fill(1)),
    close: async () => undefined,
  };
  before(async () => {
    root = await tempDir('serve-err-root');
    outside = await tempDir('serve-err-outside');
    await writeFile(join(outside, 'private-notes.parquet.gz'), 'x'); // a name detectInput refuses (400), naming it
    await writeFile(join(outside, 'secret.txt'), 'not for clients\n');
    await mkdir(join(root, 'data'));
    await writeFile(join(root, 'data', 'ok.txt'), 'fine\n');
    await symlink(outside, join(root, 'data', 'elsewhere'));
    server = await createServer({
      cacheDir: await tempDir('serve-err'),
      scorer: fake,
      roots: [root],
      workers: 1,
      bodyLimit: 4096,
    });
    url = await server.listen(0);
  });
  after(async () => server?.close());
  const post = async (path: string, body: string, type: string): Promise<{ status: number; body: ErrorBody }> => {
    const r = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': type }, body });
    return { status: r.status, body: (await r.json()) as ErrorBody };
  };

  it('a text/plain body is 415 (not JSON), as documented', async () => {
    for (const path of ['/v1/patch', '/v1/jobs', '/v1/figure']) {
      const r = await post(path, 'Hello, world', 'text/plain');
      assert.equal(r.status, 415, `${path}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.error.code, 'UNSUPPORTED_MEDIA_TYPE');
      assert.match(r.body.error.hint ?? '', /application\/json/);
    }
    assert.equal(
      (await post('/v1/patch', JSON.stringify({ text: 'hi' }), 'application/json; charset=utf-8')).status,
      200,
    );
  });

  it('the 413 hint names --body-limit only where it applies', async () => {
    const patch = await post('/v1/patch', JSON.stringify({ text: 'x'.repeat(5000) }), 'application/json');
    assert.equal(patch.status, 413);
    assert.match(patch.body.error.hint ?? '', /--body-limit/);
    const job = await post(
      '/v1/jobs',
      JSON.stringify({ inputs: ['data'], idField: 'x'.repeat(70_000) }),
      'application/json',
    );
    assert.equal(job.status, 413);
    assert.match(job.body.error.message, /65536 bytes/);
    assert.doesNotMatch(`${job.body.error.message} ${job.body.error.hint ?? ''}`, /--body-limit/);
    assert.match(job.body.error.hint ?? '', /fixed/);
  });

  it('a glob or directory through a symlinked directory is 403 naming the link, never a file or path outside the roots', async () => {
    for (const input of ['data/**/*', 'data/*/*', 'data']) {
      const r = await post('/v1/jobs', JSON.stringify({ inputs: [input] }), 'application/json');
      assert.equal(r.status, 403, `${input}: ${JSON.stringify(r.body)}`);
      const said = `${r.body.error.message} ${r.body.error.hint ?? ''}`;
      assert.match(said, /elsewhere/);
      assert.doesNotMatch(said, /private-notes|secret|serve-err-outside/, said);
    }
  });
});
