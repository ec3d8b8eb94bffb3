import assert from 'node:assert/strict';
import { barChartSvg, hbarChartSvg } from '../../../src/report/bar-chart.js';
import { inspectHtml } from '../../../src/report/inspect-html.js';
import { statsHtml } from '../../../src/report/stats-html.js';
import { esc, niceStep } from '../../../src/report/svg.js';
import type { ShardStatsReport } from '../../../src/stats/stats-report.js';
import { encodeBytes } from '../../../src/bytes/tokenizer.js';

const EXTERNAL = /\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?\/\//i;

function report(): ShardStatsReport {
  const group = {
    key: '<b>en</b>',
    origin: 'column' as const,
    documents: 1,
    bytes: 4,
    tokens: 6,
    patches: 3,
    meanPatchLength: 2,
    medianPatchLength: 2,
    p90PatchLength: 3,
    bytesPerPatch: 4 / 3,
    meanEntropy: 1.2,
    insideCharacterShare: 0,
  };
  return {
    format: 'blt-stats',
    version: 1,
    shardDir: 'out/"a&b"<script>',
    documents: 1,
    bytes: 4,
    tokens: 6,
    patches: 3,
    complete: true,
    patching: { source: 'stored', mode: 'entropy', threshold: 1.335, monotonicity: false },
    patchLength: {
      documents: 1,
      tokens: 6,
      patches: 3,
      mean: 2,
      median: 2,
      p90: 3,
      p99: 3,
      max: 3,
      histogram: { 1: 1, 2: 1, 3: 1 },
    },
    bytesPerPatch: 4 / 3,
    entropy: {
      count: 5,
      mean: 1.2,
      min: 0.1,
      max: 3,
      quantiles: { p01: 0.1, p10: 0.1, p25: 0.5, p50: 1, p75: 2, p90: 3, p99: 3 },
      resolution: 0.01,
      histogram: {
        binWidth: 0.1,
        counts: [1, 0, 2, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
      },
    },
    utf8: { boundaries: 2, insideCharacter: 0, share: 0 },
    bySource: [{ ...group, key: 'src', origin: undefined } as unknown as ShardStatsReport['bySource'][number]],
    byLanguage: [group],
    languageSpread: { ratio: 1, min: null, max: null, languages: 0, minBytes: 4096 },
    ngrams: [
      {
        column: 'ngram_ids_3_0',
        groupSize: 3,
        hashFunction: 0,
        vocabFrom: 'default',
        vocab: 500002,
        distinctIds: 5,
        occupancy: 1e-5,
        positions: 6,
        outOfRange: 0,
        collisions: {
          sampledIds: 500002,
          sampleRate: 1,
          occupiedSampledIds: 5,
          ngrams: 5,
          collidingNgrams: 0,
          rate: 0,
          idCollisionRate: 0,
          estimatedDistinctNgrams: 5,
          expectedUniform: 8e-6,
        },
      },
    ],
  };
}

describe('report: self-contained HTML and SVG charts', () => {
  it('the stats report is one page with inline SVG charts, no scripts or external resources, text escaped', () => {
    const html = statsHtml(report());
    assert.match(html, /^<!DOCTYPE html>/);
    assert.match(html, /<meta charset="utf-8">/);
    assert.equal((html.match(/<svg\b/g) ?? []).length, 4); // patch lengths, entropy, languages, occupancy
    assert.doesNotMatch(html, EXTERNAL);
    assert.doesNotMatch(html, /<script\b|<link\b|<img\b|<iframe\b|@import|url\(/i);
    assert.match(html, /out\/&quot;a&amp;b&quot;&lt;script&gt;/);
    assert.match(html, /&lt;b&gt;en&lt;\/b&gt;/);
    assert.match(html, /θ 1\.335/);
  });

  it('the inspect page holds the figure and the patches', () => {
    const bytes = new TextEncoder().encode('ab cd');
    const html = inspectHtml(
      {
        bytes,
        entropies: Float32Array.from([3, 0.5, 2, 0.1, 2, 0.2, 1]),
        patchLengths: [1, 2, 2, 2],
        threshold: 1,
        monotonicity: false,
      },
      { from: 'test', tokens: encodeBytes(bytes) },
    );
    assert.match(html, /<svg\b/);
    assert.match(html, /class="threshold"/);
    assert.equal((html.match(/class="patch-start"/g) ?? []).length, 3);
    assert.doesNotMatch(html, EXTERNAL);
    assert.doesNotMatch(html, /<script\b/i);
    assert.match(html, /&lt;s&gt;<\/span>/); // the BOS patch, escaped
  });

  it('bar charts scale to the data and label their axes', () => {
    const svg = barChartSvg({
      title: 'T',
      bars: [
        { label: '1', value: 10 },
        { label: '2', value: 35 },
      ],
      xLabel: 'x',
      yLabel: 'y',
      markers: [{ at: 1, label: 'm', color: 'red' }],
    });
    assert.equal((svg.match(/<rect /g) ?? []).length, 2);
    assert.match(svg, />40<\/text>/); // nice y maximum above 35
    assert.match(svg, />m<\/text>/);
    const h = hbarChartSvg({ title: 'H', rows: [{ label: 'a', value: 2, note: 'n' }], xLabel: 'x', unit: '%' });
    assert.match(h, />2\.00%  \(n\)<\/text>/);
    assert.equal(niceStep(35, 5), 10);
    assert.equal(esc(`<a href="x">&'`), '&lt;a href=&quot;x&quot;&gt;&amp;&#39;');
  });
});
