import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { patchLengths } from '../../src/patching/patch-lengths.js';
import { entropyFigureSvg } from '../../src/report/entropy-figure.js';
import { byteStarts, charCells, wrapRows } from '../../src/report/figure-layout.js';
import { terminalFigure } from '../../src/report/terminal-figure.js';
import { fingerprint } from '../../src/shards/fingerprint.js';
import { buildManifest, writeManifest } from '../../src/shards/manifest.js';
import type { ShardDoc } from '../../src/shards/row.js';
import { ShardWriter } from '../../src/shards/shard-writer.js';
import { ROOT, runCli } from '../helpers/run-cli.js';

interface Fixture {
  text: string;
  threshold: number;
  token_ids: number[];
  entropies: number[];
}
const FIX = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/golden/tokens-with-entropies.json'), 'utf8')) as Fixture;
const BYTES = new TextEncoder().encode(FIX.text);
const H = Float32Array.from(FIX.entropies);
/** The reference's lengths for the paper's sentence (docs/reference.md §3.2). */
const PAPER = [1, 1, 1, 1, 1, 15, 3, 3, 1, 1, 3, 12, 1, 1, 1, 1, 1, 5, 5, 1, 2, 1, 19];

const count = (s: string, re: RegExp): number => (s.match(re) ?? []).length;

describe('inspect: the entropy figure (SVG)', () => {
  it('draws the entropy line, the threshold line and one mark per patch start on a byte', () => {
    const svg = entropyFigureSvg({
      bytes: BYTES,
      entropies: H,
      patchLengths: PAPER,
      threshold: FIX.threshold,
      monotonicity: false,
    });
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    const starts = byteStarts(PAPER, BYTES.length);
    assert.equal(starts.length, PAPER.length - 1); // every patch but the BOS one starts on a byte here
    assert.equal(count(svg, /class="patch-start"/g), starts.length);
    for (const b of starts) assert.match(svg, new RegExp(`class="patch-start" data-byte="${b}"`));
    assert.equal(count(svg, /class="threshold"/g), 1); // 79 bytes: one row
    assert.equal(count(svg, /class="entropy"/g), 1);
    assert.equal(count(svg, /<circle /g), BYTES.length);
    assert.match(svg, />D<\/text>/); // the characters along the x axis
    assert.match(svg, />␣<\/text>/);
  });

  it('places the threshold line at θ on the y scale', () => {
    const svg = entropyFigureSvg(
      { bytes: BYTES, entropies: H, patchLengths: PAPER, threshold: 2, monotonicity: false },
      { plotHeight: 100 },
    );
    const line = /<line class="threshold" x1="[^"]+" x2="[^"]+" y1="([^"]+)" y2="([^"]+)"/.exec(svg);
    assert.ok(line);
    assert.equal(line[1], line[2]);
    // y axis 0..4 nats (max H 3.69 → 4) over 100 px, rows start at 46 px: θ = 2 sits at 46 + 50
    assert.equal(Number(line[1]), 96);
  });

  it('wraps long texts into rows with a threshold line each, and keeps non-Latin characters whole', () => {
    const text =
      'Все люди рождаются свободными и равными в своем достоинстве и правах. 人人生而自由，在尊严和权利上一律平等。'.repeat(
        3,
      );
    const bytes = new TextEncoder().encode(text);
    const H2 = Float32Array.from({ length: bytes.length + 2 }, (_, i) => ((i * 7919) % 13) / 3);
    const lengths = patchLengths({ length: H2.length } as ArrayLike<number>, {
      mode: 'entropy',
      entropies: H2,
      threshold: 2,
    });
    const svg = entropyFigureSvg(
      { bytes, entropies: H2, patchLengths: lengths, threshold: 2, monotonicity: false },
      { bytesPerRow: 64 },
    );
    const rows = wrapRows(charCells(bytes), 64);
    assert.ok(rows.length > 5);
    assert.equal(count(svg, /class="threshold"/g), rows.length);
    assert.equal(count(svg, /class="patch-start"/g), byteStarts(lengths, bytes.length).length);
    assert.match(svg, />人<\/text>/);
    assert.match(svg, />рождаются|>р<\/text>/);
    // rows break between characters: every row starts at a character's first byte
    for (const r of rows) assert.notEqual((bytes[r.start] as number) & 0xc0, 0x80);
  });

  it('draws no horizontal line for the relative (monotonic) rule', () => {
    const svg = entropyFigureSvg({
      bytes: BYTES,
      entropies: H,
      patchLengths: PAPER,
      threshold: 0.5,
      monotonicity: true,
    });
    assert.equal(count(svg, /class="threshold"/g), 0);
    assert.match(svg, /relative rule/);
  });

  it('escapes text and shows invalid bytes as hex', () => {
    const bytes = Uint8Array.from([0x3c, 0x26, 0xff, 0x61]); // "<&" invalid "a"
    const svg = entropyFigureSvg({
      bytes,
      entropies: new Float32Array(6).fill(1),
      patchLengths: [1, 5],
      threshold: 1.3,
      monotonicity: false,
    });
    assert.match(svg, />&lt;<\/text>/);
    assert.match(svg, />&amp;<\/text>/);
    assert.match(svg, />ff<\/text>/);
    assert.doesNotMatch(svg, />[<&]<\/text>/);
  });

  it('groups combining marks with their base letter', () => {
    const cells = charCells(new TextEncoder().encode('नमस्ते e\u0301'));
    assert.deepEqual(
      cells.map((c) => c.label),
      ['न', 'म', 'स्ते', '␣', 'e\u0301'],
    );
    assert.equal(
      cells.reduce((a, c) => a + c.length, 0),
      new TextEncoder().encode('नमस्ते e\u0301').length,
    );
  });

  it('terminal chart: one ^ per patch start, the characters, the threshold marker', () => {
    const out = terminalFigure(
      { bytes: BYTES, entropies: H, patchLengths: PAPER, threshold: FIX.threshold, monotonicity: false },
      { bytesPerRow: 100 },
    );
    assert.equal(count(out.split('\n').slice(1).join('\n'), /\^/g), PAPER.length - 1); // line 1 is the legend
    assert.match(out, /Daenerys␣Targaryen/);
    assert.match(out, /╌/);
  });
});

describe('blt inspect', function () {
  this.timeout(180_000);
  let root: string;
  let set: string;
  const docs: ShardDoc[] = [
    { docId: 'fig4', source: 'fixture', lang: 'en', bytes: BYTES, entropies: H, patchLengths: Int32Array.from(PAPER) },
    // entropies no model would give: 0, 1, 2, 3, 4, 0, 1, ... (so a model run would be noticed)
    {
      docId: 'odd',
      source: 'fixture',
      bytes: new TextEncoder().encode('héllo wörld'),
      entropies: Float32Array.from({ length: 15 }, (_, i) => i % 5),
      patchLengths: Int32Array.from([1, 14]),
    },
  ];
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'blt-inspect-'));
    set = join(root, 'set');
    const w = await ShardWriter.open({ dir: set, columns: { entropies: true, patchLengths: true, ngramTables: [] } });
    await w.addTask(0, docs);
    const shards = await w.finish();
    await writeManifest(
      set,
      buildManifest({
        config: { process: { patching: { mode: 'entropy', monotonicity: false } } },
        inputs: [],
        shards,
        totals: { ...w.getState().totals, quarantined: 0 },
        fingerprints: { content: fingerprint(['inspect-test']) },
      }),
    );
    await w.dispose();
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('a shard document uses its stored entropies and patches (no model run)', () => {
    const r = runCli(['inspect', '--shard-dir', set, '--doc-id', 'odd', '--json']);
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout) as { from: string; entropies: number[]; patchLengths: number[]; tokens: number[] };
    assert.deepEqual(
      j.entropies,
      Array.from({ length: 15 }, (_, i) => i % 5),
    );
    assert.deepEqual(j.patchLengths, [1, 14]); // stored (the manifest's patches), not recomputed
    assert.match(j.from, /stored entropies and patches/);
    assert.equal(j.tokens.length, 15);
  });

  it('a shard document with --threshold re-derives patches from the stored entropies', () => {
    const r = runCli(['inspect', '--shard-dir', set, '--doc-id', 'odd', '--threshold', '2.5', '--json']);
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout) as { patchLengths: number[]; threshold: number };
    const expected = patchLengths({ length: 15 } as ArrayLike<number>, {
      mode: 'entropy',
      entropies: Float32Array.from({ length: 15 }, (_, i) => i % 5),
      threshold: 2.5,
    });
    assert.deepEqual(j.patchLengths, Array.from(expected));
    assert.equal(j.threshold, 2.5);
  });

  it('--svg and --html write the figure for a shard document', async () => {
    const svgFile = join(root, 'fig.svg');
    const htmlFile = join(root, 'fig.html');
    const r = runCli(['inspect', '--shard-dir', set, '--doc-id', 'fig4', '--svg', svgFile, '--html', htmlFile]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /wrote .*fig\.svg/);
    assert.match(r.stdout, /81 tokens, 23 patches/);
    const svg = await readFile(svgFile, 'utf8');
    assert.match(svg, /^<\?xml/);
    assert.equal(count(svg, /class="threshold"/g), 1);
    assert.equal(count(svg, /class="patch-start"/g), 22);
    const html = await readFile(htmlFile, 'utf8');
    assert.match(html, /<svg\b/);
    assert.doesNotMatch(html, /\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?\/\//i);
    assert.doesNotMatch(html, /<script\b|<link\b/i);
  });

  it('--chart prints the terminal figure; the default stays the table', () => {
    const c = runCli(['inspect', '--shard-dir', set, '--doc-id', 'fig4', '--chart', '--bytes-per-row', '100']);
    assert.equal(c.status, 0, c.stderr);
    assert.equal(count(c.stdout.split('\n').slice(1).join('\n'), /\^/g), 22);
    const t = runCli(['inspect', '--shard-dir', set, '--doc-id', 'fig4', '--no-color']);
    assert.equal(t.status, 0, t.stderr);
    assert.match(t.stdout, /pos {2}byte {5}H\(next\)/);
    assert.match(t.stdout, /<s>\|D\|a\|e\|n\|erys Targaryen /);
  });

  it('explains a missing document or half of the shard options', () => {
    const missing = runCli(['inspect', '--shard-dir', set, '--doc-id', 'nope']);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /NOT_FOUND.*"nope".*2 documents/);
    const half = runCli(['inspect', '--doc-id', 'fig4']);
    assert.equal(half.status, 2);
    assert.match(half.stderr, /BAD_OPTION.*--shard-dir and --doc-id together/);
  });
});

describe('inspect: the default model’s per-script thresholds', () => {
  it('patches a text with the threshold of its script, as blt preprocess does; --threshold overrides', () => {
    const config = JSON.parse(readFileSync(join(ROOT, 'models/entropy-ngram/config.json'), 'utf8')) as {
      training: { patching: { threshold: number; scriptThresholds: Record<string, number> } };
    };
    const cyrillic = config.training.patching.scriptThresholds['script:Cyrillic'];
    assert.ok(cyrillic !== undefined && cyrillic !== config.training.patching.threshold);
    const r = runCli(['inspect', '--json', 'Все люди рождаются свободными и равными в своем достоинстве и правах.']);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as {
      threshold: number;
      tokens: number[];
      entropies: number[];
      patchLengths: number[];
    };
    assert.equal(out.threshold, cyrillic);
    const expected = patchLengths(Int32Array.from(out.tokens), {
      mode: 'entropy',
      entropies: Float32Array.from(out.entropies),
      threshold: cyrillic,
    });
    assert.deepEqual(out.patchLengths, Array.from(expected));
    const g = runCli(['inspect', '--json', '--threshold', '2.5', 'Все люди рождаются свободными.']);
    assert.equal(g.status, 0, g.stderr);
    assert.equal((JSON.parse(g.stdout) as { threshold: number }).threshold, 2.5);
  });
});
