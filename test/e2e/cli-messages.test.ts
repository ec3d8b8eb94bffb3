/**
 * Issue 13 item 8: every message names the flag and what was typed (no internal key names, no
 * `NaN`, no value nobody typed), refuses flags a mode would ignore, recommends only flags that
 * exist, and does not leak library internals.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pickText } from '../../src/ingest/readers/json-fields.js';
import { resolveReadOptions } from '../../src/ingest/readers/read-options.js';
import { readFailure } from '../../src/shards/shard-file.js';
import { shippedModelThreshold } from '../../src/cli/patching-flags.js';
import { runCli } from '../helpers/run-cli.js';

describe('blt CLI: messages name the flag and the value typed', function () {
  this.timeout(600_000);
  let dir: string;
  let txt: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'blt-msg-'));
    txt = join(dir, 'a.txt');
    writeFileSync(txt, 'hello world, some text\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const bad = (
    args: string[],
    re: RegExp,
    not: RegExp = /NaN|a number option|docsPerTask|shardSizeBytes|patchSize|unexpected error/,
  ): string => {
    const r = runCli(args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re, args.join(' '));
    assert.doesNotMatch(r.stderr, not, args.join(' '));
    return r.stderr;
  };

  it('numeric flags: the flag and the text typed, never an internal key or NaN', () => {
    const out = join(dir, 'o');
    bad(
      ['preprocess', txt, '--out', out, '-m', 'space', '--docs-per-task', 'abc'],
      /Expected `--docs-per-task` to be an integer >= 1, got "abc"/,
    );
    bad(
      ['preprocess', txt, '--out', out, '-m', 'space', '--shard-size', '0'],
      /Expected `--shard-size` to be a size of at least 1 byte, got "0"/,
    );
    bad(
      ['preprocess', txt, '--out', out, '-m', 'space', '--workers', 'x'],
      /`--workers` to be an integer in \[0, 256\], got "x"/,
    );
    bad(['patch', '-m', 'entropy', '--threshold', 'abc', 'x'], /Expected `--threshold` to be a number, got "abc"/);
    bad(['stats', dir, '--max-docs', 'many'], /Expected `--max-docs` to be an integer >= 1, got "many"/);
    bad(['calibrate', txt, '--tolerance', 'tight'], /Expected `--tolerance` to be a number, got "tight"/);
    bad(['inspect', '--width', 'wide', 'x'], /Expected `--width` to be an integer >= 1, got "wide"/);
  });

  it('static mode without --patch-size asks for it (no "got 4.5" nobody typed)', () => {
    bad(['patch', '-m', 'static', 'abc'], /Expected --patch-size <n> with -m static/, /4\.5|patchSize/);
    bad(
      ['preprocess', txt, '--out', join(dir, 'o'), '-m', 'static'],
      /Expected --patch-size <n> with -m static/,
      /4\.5|patchSize/,
    );
  });

  it('flags a mode ignores are refused, naming what was typed', () => {
    bad(
      ['patch', '-m', 'space', '--threshold', '2', 'abc'],
      /--threshold 2 has no effect with -m space: it applies to -m entropy only/,
    );
    bad(
      ['preprocess', txt, '--out', join(dir, 'o'), '-m', 'space', '--threshold', '2'],
      /--threshold 2 has no effect with -m space/,
    );
    bad(
      ['repatch', dir, '--out', join(dir, 'o'), '-m', 'byte', '--monotonicity'],
      /--monotonicity has no effect with -m byte/,
    );
    bad(
      ['patch', '-m', 'entropy', '--patch-size', '4', 'abc'],
      /--patch-size 4 has no effect with -m entropy: it applies to -m static only/,
    );
  });

  it("preprocess --help shows the shipped model's calibrated threshold as the default", () => {
    const t = shippedModelThreshold();
    assert.ok(t !== null && t > 2, 'the shipped model carries a calibrated threshold');
    const help = runCli(['preprocess', '--help']).stdout.replace(/\s+/g, ' ');
    assert.ok(help.includes(`(${t.toFixed(4)} for the shipped model)`), help);
    assert.doesNotMatch(help, /--threshold <nats> global entropy threshold \(default 1\.3354/);
  });

  it('quarantine reasons: "text": null says null; invalid UTF-8 recommends --invalid-utf8, which exists', () => {
    const opts = resolveReadOptions({});
    const nul = pickText({ text: null, id: 'a' }, opts);
    assert.equal(nul.ok, false);
    assert.match(nul.ok ? '' : nul.reason, /expected field "text" to be a string, got null/);
    const jsonl = join(dir, 'bad.jsonl');
    writeFileSync(
      jsonl,
      Buffer.concat([Buffer.from('{"text":"ok '), Buffer.from([0xff, 0xfe]), Buffer.from(' x"}\n{"text":"fine"}\n')]),
    );
    const q = join(dir, 'q1');
    const first = runCli(['preprocess', jsonl, '--out', q, '-m', 'space', '--workers', '0', '-q']);
    assert.equal(first.status, 0, first.stderr);
    const reason = (
      JSON.parse(readFileSync(join(q, 'quarantine.jsonl'), 'utf8').split('\n')[0] as string) as { reason: string }
    ).reason;
    assert.match(reason, /--invalid-utf8 replace/);
    const fixed = runCli([
      'preprocess',
      jsonl,
      '--out',
      join(dir, 'q2'),
      '-m',
      'space',
      '--workers',
      '0',
      '-q',
      '--invalid-utf8',
      'replace',
      '--json',
    ]);
    assert.equal(fixed.status, 0, fixed.stderr);
    const s = JSON.parse(fixed.stdout) as { documents: number; quarantined: number };
    assert.deepEqual([s.documents, s.quarantined], [2, 0]);
  });

  it('eval/generate hints name --checkpoint, not --resume or --out', () => {
    const empty = join(dir, 'not-a-run');
    mkdirSync(empty);
    const e = bad(
      ['eval', '--checkpoint', empty, '--data', dir],
      /--checkpoint .*not-a-run: No checkpoint under/,
      /--resume|--out\b(?! <run>)/,
    );
    assert.match(e, /blt train --out <run>/);
    bad(['generate', '--checkpoint', empty, '--prompt', 'a'], /--checkpoint .*not-a-run: No checkpoint/, /--resume/);
  });

  it('an empty shard set is "no documents", not "every document fell on the validation side"', () => {
    const set = join(dir, 'empty-set');
    mkdirSync(join(dir, 'nothing'));
    assert.equal(runCli(['preprocess', join(dir, 'nothing'), '--out', set, '-m', 'space', '-q']).status, 2);
    bad(
      ['train', '--data', set, '--out', join(dir, 'run'), '--steps', '1', '--quiet'],
      /holds no documents \(an empty shard set\)/,
      /validation side/,
    );
  });

  it('a truncated Arrow file is "truncated or damaged", not a library TypeError', () => {
    const arrow = join(dir, 'trunc.arrow');
    const set = join(dir, 'arrow-set');
    assert.equal(
      runCli(['preprocess', txt, '--out', set, '-m', 'space', '--format', 'arrow', '--workers', '0', '-q']).status,
      0,
    );
    writeFileSync(arrow, readFileSync(join(set, 'shard-00000.arrow')).subarray(0, 600));
    const r = runCli(['preprocess', arrow, '--out', join(dir, 'from-trunc'), '-m', 'space', '--workers', '0', '-q']);
    const q = readFileSync(join(dir, 'from-trunc', 'quarantine.jsonl'), 'utf8');
    assert.match(q, /truncated or damaged/);
    assert.doesNotMatch(q + r.stderr, /Cannot read properties/);
    const e = readFailure(
      'shard-00000.arrow',
      new TypeError("Cannot read properties of null (reading 'fieldsLength')"),
    );
    assert.match(e.message, /cannot read the shard \(the file is truncated or damaged/);
    assert.doesNotMatch(e.message, /Cannot read properties/);
  });
});
