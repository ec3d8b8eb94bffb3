/**
 * Issue 13 item 5: a run that writes nothing is an error (exit 2), not "done"; whenever records
 * were quarantined the summary names quarantine.jsonl (and the first reason); binary files read
 * as text are called out.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/run-cli.js';

describe('blt preprocess: runs that produce nothing, quarantine and binary inputs', function () {
  this.timeout(300_000);
  let dir: string;
  const pre = (inputs: string[], out: string, extra: string[] = []): ReturnType<typeof runCli> =>
    runCli(['preprocess', ...inputs, '--out', join(dir, out), '-m', 'space', '--workers', '0', '-q', ...extra]);
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'blt-empty-'));
    mkdirSync(join(dir, 'empty'));
    writeFileSync(join(dir, 'pretty.json'), '{\n  "text": "hello",\n  "id": 1\n}\n');
    writeFileSync(join(dir, 'mixed.jsonl'), '{"text": "fine"}\n{"text": 3}\n');
    mkdirSync(join(dir, 'bins'));
    const bin = new Uint8Array(4096).map((_, i) => (i * 37) % 256);
    writeFileSync(join(dir, 'bins', 'a.bin'), bin);
    writeFileSync(join(dir, 'bins', 'b.bin'), bin.reverse());
    writeFileSync(join(dir, 'bins', 'c.txt'), 'some real text\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('an empty directory: exit 2, and the summary does not say done', () => {
    const r = pre([join(dir, 'empty')], 'o-empty');
    assert.equal(r.status, 2, r.stderr);
    assert.doesNotMatch(r.stdout, /^done/);
    assert.match(r.stdout, /wrote no documents/);
    assert.match(r.stderr, /^blt: error \[BAD_INPUT\]: The run wrote no documents .*the inputs held no documents/m);
  });

  it('every record quarantined (a pretty-printed .json): exit 2, naming quarantine.jsonl and the reason; --json says so in its one object', () => {
    const r = pre([join(dir, 'pretty.json')], 'o-pretty');
    assert.equal(r.status, 2, r.stderr);
    const q = join(dir, 'o-pretty', 'quarantine.jsonl');
    assert.ok(r.stdout.includes(q), r.stdout);
    assert.ok(r.stderr.includes(q), r.stderr);
    assert.match(r.stderr, /pretty-printed JSON/);
    assert.match(r.stderr, /all 4 record\(s\) were quarantined/);
    const j = pre([join(dir, 'pretty.json')], 'o-pretty-json', ['--json']);
    assert.equal(j.status, 2);
    const o = JSON.parse(j.stdout) as {
      status: string;
      quarantineFile: string;
      warnings: string[];
      error: { code: string };
    };
    assert.equal(o.quarantineFile, join(dir, 'o-pretty-json', 'quarantine.jsonl'));
    assert.equal(o.error.code, 'BAD_INPUT');
    assert.equal(o.warnings.length, 1);
  });

  it('some records quarantined: exit 0, but quarantine.jsonl is named in the summary and a warning', () => {
    const r = pre([join(dir, 'mixed.jsonl')], 'o-mixed');
    assert.equal(r.status, 0, r.stderr);
    const q = join(dir, 'o-mixed', 'quarantine.jsonl');
    assert.match(r.stdout, /^done: /);
    assert.ok(r.stdout.includes(`quarantine    ${q}`), r.stdout);
    assert.match(r.stderr, /^blt: warning: 1 record\(s\) were quarantined/m);
  });

  it('a glob of binaries read as text: an error when every input is binary, a warning naming them otherwise', () => {
    const all = pre([join(dir, 'bins', '*.bin')], 'o-bins');
    assert.equal(all.status, 2, all.stderr);
    assert.match(all.stderr, /2 of 2 plain-text input file\(s\) look binary .*a\.bin, .*b\.bin/);
    assert.match(all.stderr, /error \[BAD_INPUT\]: Every input .* looks binary/);
    const some = pre([join(dir, 'bins')], 'o-some');
    assert.equal(some.status, 0, some.stderr);
    assert.match(some.stderr, /blt: warning: 2 of 3 plain-text input file\(s\) look binary/);
  });
});
