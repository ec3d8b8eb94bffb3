import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as api from '../../src/index.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('public API', () => {
  it('exports the documented names', () => {
    for (const name of [
      'encodeBytes',
      'decodeBytes',
      'hashNgramIds',
      'patchLengths',
      'entropyFromLogits',
      'BltError',
    ]) {
      assert.equal(typeof (api as Record<string, unknown>)[name], 'function', name);
    }
    assert.equal(api.VOCAB_SIZE, 260);
    assert.equal(api.DEFAULT_THRESHOLD, 1.335442066192627);
  });

  it('is importable from plain Node ESM after `npm run build` (package exports)', function () {
    this.timeout(120_000);
    const build = spawnSync(process.execPath, ['scripts/tsc7.mjs', '-p', 'tsconfig.build.json'], {
      cwd: root,
      encoding: 'utf8',
    });
    assert.equal(build.status, 0, build.stdout + build.stderr);
    const script = [
      "import { encodeBytes, decodeBytes, hashNgramIds, patchLengths, entropyFromLogits } from 'blt-toolkit';",
      "const t = encodeBytes('Hello, world!');",
      'console.log(JSON.stringify({ t: Array.from(t), d: decodeBytes(t), h: Array.from(hashNgramIds(t, 3, 0, 500002)).slice(0, 3),',
      "  p: Array.from(patchLengths(t, { mode: 'space' })), e: Array.from(entropyFromLogits(new Float32Array(260))) }));",
    ].join('\n');
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const out = JSON.parse(run.stdout) as { t: number[]; d: string; h: number[]; p: number[]; e: number[] };
    assert.deepEqual(out.t.slice(0, 3), [1, 76, 105]);
    assert.equal(out.d, 'Hello, world!');
    assert.deepEqual(out.h, [443987, 124875, 393970]);
    assert.equal(
      out.p.reduce((a, b) => a + b, 0),
      15,
    );
    assert.ok(Math.abs((out.e[0] as number) - Math.log(260)) < 1e-5);
  });
});
