import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { buildProgram } from '../../src/cli/main.js';
import { runCli, ROOT } from '../helpers/run-cli.js';

const version = (JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { version: string }).version;

describe('blt CLI', function () {
  this.timeout(180_000);

  it('--version prints the package version', () => {
    const r = runCli(['--version']);
    assert.equal(r.status, 0);
    assert.equal(r.stdout.trim(), version);
  });

  it('every subcommand has --help', () => {
    const names: string[][] = [];
    for (const c of buildProgram().commands) {
      names.push([c.name()]);
      for (const sub of c.commands) names.push([c.name(), sub.name()]);
    }
    assert.ok(names.length >= 8);
    // one process per command is slow; check the help text in-process instead
    for (const path of names) {
      let cmd = buildProgram();
      for (const n of path) cmd = cmd.commands.find((c) => c.name() === n) ?? assert.fail(`no ${n}`);
      const help = cmd.helpInformation();
      assert.match(help, /Usage: /, path.join(' '));
      assert.ok(cmd.description().length > 10, `${path.join(' ')} has a description`);
    }
    const r = runCli(['patch', '--help']);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /--mode <mode>/);
  });

  it('doctor --json reports the backend, why, threads, versions and a GFLOP/s figure', () => {
    const r = runCli(['doctor', '--json', '--size', '128']);
    assert.equal(r.status, 0, r.stderr);
    const rep = JSON.parse(r.stdout) as {
      node: string;
      backend: { name: string; reason: string; threads: number };
      libraries: Record<string, string>;
      matmul: { gflops: number };
    };
    assert.equal(rep.node, process.version);
    assert.ok(['wasm', 'tensorflow'].includes(rep.backend.name), rep.backend.name);
    assert.ok(rep.backend.reason.length > 10);
    assert.ok(rep.backend.threads >= 1);
    assert.equal(rep.libraries['@tensorflow/tfjs'], '4.22.0');
    assert.ok(rep.matmul.gflops > 0);
  });

  it('doctor honours BLT_BACKEND and --backend', () => {
    const r = runCli(['doctor', '--json', '--no-measure'], { env: { BLT_BACKEND: 'cpu' } });
    assert.equal(r.status, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { backend: { name: string } }).backend.name, 'cpu');
    const bad = runCli(['doctor', '--backend', 'tensorflow', '--no-measure']);
    if (bad.status !== 0) assert.match(bad.stderr, /BACKEND_UNAVAILABLE/);
  });

  it('patch shows a readable segmentation of text arguments', () => {
    const r = runCli(['patch', '-m', 'space', '--no-color', 'Hello, world!']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.split('\n')[0], '<s>|Hello,| world!|</s>');
  });

  it('patch reads stdin, one document per line, and prints JSON with statistics', () => {
    const r = runCli(['patch', '-m', 'static', '--patch-size', '3', '--lines', '--json'], { input: 'abcd\r\n\nxy\n' });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as {
      documents: Array<{ id: string; patchLengths: number[] }>;
      stats: { documents: number; patches: number };
    };
    assert.deepEqual(
      out.documents.map((d) => d.id),
      ['stdin:1', 'stdin:3'],
    );
    assert.deepEqual(out.documents[0]?.patchLengths, [3, 3]); // BOS a b | c d EOS
    assert.deepEqual(out.documents[1]?.patchLengths, [3, 1]);
    assert.equal(out.stats.documents, 2);
    assert.equal(out.stats.patches, 4);
  });

  it('patch --stats prints a statistics table for a file', () => {
    const r = runCli([
      'patch',
      '-m',
      'space',
      '--stats',
      '--lines',
      '--file',
      'test/fixtures/golden/tokens-with-entropies.json',
    ]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /documents\s+1/);
    assert.match(r.stdout, /patch length\s+mean [0-9.]+\s+median \d+\s+p90 \d+/);
    assert.match(r.stdout, /histogram/);
  });

  it('bad input gets exit status 2 and a message saying what was expected', () => {
    const r = runCli(['patch', '-m', 'static', 'abc']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /error \[BAD_OPTION\]: Expected --patch-size <n> with -m static/);
    const missing = runCli(['patch', '-m', 'space', '--file', '/nonexistent/x.txt']);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /NOT_FOUND.*\/nonexistent\/x\.txt/);
    const unknown = runCli(['nosuchcommand']);
    assert.notEqual(unknown.status, 0);
    assert.match(unknown.stderr, /unknown command/);
  });
});
