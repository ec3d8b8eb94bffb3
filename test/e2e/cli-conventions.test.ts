/**
 * Shell conventions of the `blt` command (issue 13 items 4 and 9): usage errors are coded
 * `blt: error [BAD_OPTION]` with exit status 2, a bad --out is a coded error (no stack trace),
 * `--json` errors are one JSON object on stdout, NO_COLOR and non-TTY output have no colour, and
 * a closed pipe (`| head -1`) ends the command quietly.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileSystemError } from '../../src/cli/cli-errors.js';
import { useColour } from '../../src/cli/colour.js';
import { runCli, ROOT } from '../helpers/run-cli.js';

describe('blt CLI: shell conventions', function () {
  this.timeout(300_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'blt-conv-'));
    writeFileSync(join(dir, 'a.txt'), 'hello world\n');
    writeFileSync(join(dir, 'a-file'), 'x');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('usage errors (unknown option / command, missing argument or value, bad choice) are BAD_OPTION, exit 2', () => {
    const cases: Array<[string[], RegExp]> = [
      [['patch', '--bogus', 'x'], /unknown option '--bogus'/],
      [['nosuchcommand'], /unknown command 'nosuchcommand'/],
      [['preprocess', join(dir, 'a.txt')], /required option '-o, --out <dir>' not specified/],
      [['verify'], /missing required argument 'dir'/],
      [['patch', '--model'], /option '--model <.*>' argument missing/],
      [['patch', '-m', 'foo', 'x'], /argument 'foo' is invalid/],
    ];
    for (const [args, re] of cases) {
      const r = runCli(args);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /^blt: error \[BAD_OPTION\]: /, args.join(' '));
      assert.match(r.stderr, re, args.join(' '));
      assert.match(r.stderr, /--help/, `${args.join(' ')} points at --help`);
      assert.doesNotMatch(r.stderr, /^error: /m);
    }
  });

  it('--help and --version still exit 0', () => {
    assert.equal(runCli(['patch', '--help']).status, 0);
    assert.equal(runCli(['--version']).status, 0);
  });

  it('an --out that is a file, or under a file, is a coded error with exit 2 and no stack trace', () => {
    for (const out of [join(dir, 'a-file'), join(dir, 'a-file', 'sub')]) {
      const r = runCli(['preprocess', join(dir, 'a.txt'), '--out', out, '-m', 'space', '-q']);
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, /^blt: error \[BAD_OPTION\]: .*--out/);
      assert.ok(r.stderr.includes(out), r.stderr);
      assert.doesNotMatch(r.stderr, /unexpected error|\n\s+at /);
    }
  });

  it('a file-system failure anywhere is reported with its path and code, exit 2, no stack trace', () => {
    const r = runCli([
      'entropy',
      'train',
      '--kind',
      'ngram',
      join(dir, 'a.txt'),
      '--out',
      join(dir, 'a-file', 'm.ngram'),
    ]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /^blt: error \[/);
    assert.doesNotMatch(r.stderr, /unexpected error|\n\s+at /);
  });

  it('any Node file-system error becomes a coded BltError naming the path (the safety net under every command)', () => {
    let raw: unknown;
    try {
      mkdirSync(join(dir, 'a-file', 'sub'), { recursive: true });
    } catch (err) {
      raw = err;
    }
    const e = fileSystemError(raw);
    assert.ok(e, 'mapped');
    assert.equal(e.code, 'BAD_OPTION');
    assert.match(e.message, /a-file/);
    assert.match(e.message, /\((ENOTDIR|EEXIST)\)/);
    assert.equal(fileSystemError(new Error('plain')), null);
  });

  it('under --json an error is one JSON object on stdout (and nothing on stderr)', () => {
    const bad = runCli(['stats', join(dir, 'nope'), '--json']);
    assert.equal(bad.status, 2);
    const o = JSON.parse(bad.stdout) as { error: { code: string; message: string; exitCode: number } };
    assert.equal(o.error.code, 'NOT_FOUND');
    assert.match(o.error.message, /nope/);
    assert.equal(o.error.exitCode, 2);
    assert.equal(bad.stderr, '');
    const usage = runCli(['patch', '--json', '--bogus']);
    assert.equal(usage.status, 2);
    assert.equal((JSON.parse(usage.stdout) as { error: { code: string } }).error.code, 'BAD_OPTION');
  });

  it('colour only on a TTY, never with NO_COLOR or --no-color', () => {
    const tty = { isTTY: true };
    assert.equal(useColour(true, tty, {}), true);
    assert.equal(useColour(true, tty, { NO_COLOR: '1' }), false);
    assert.equal(useColour(true, tty, { NO_COLOR: '' }), true, 'an empty NO_COLOR does not count (no-color.org)');
    assert.equal(useColour(false, tty, {}), false);
    assert.equal(useColour(true, { isTTY: false }, {}), false);
    assert.equal(useColour(true, {}, {}), false);
  });

  it('`blt patch ... | head -1` exits quietly when the pipe closes', () => {
    const lines = Array.from({ length: 4000 }, (_, i) => `line ${i} of some text to patch here`).join('\n');
    mkdirSync(join(dir, 'big'), { recursive: true });
    writeFileSync(join(dir, 'big', 'many.txt'), lines);
    const r = spawnSync(
      'bash',
      [
        '-c',
        `"${process.execPath}" --import tsx src/cli/main.ts patch -m space --lines -f "${join(dir, 'big', 'many.txt')}" | head -1; echo "blt-status=\${PIPESTATUS[0]}"`,
      ],
      { cwd: ROOT, encoding: 'utf8' },
    );
    assert.match(r.stdout, /^.*many\.txt:1\t<s>\|line /);
    assert.doesNotMatch(r.stderr, /EPIPE|Unhandled|at /, r.stderr);
    assert.match(r.stdout, /blt-status=0$/m);
  });
});
