/**
 * ShardStatsReport → a self-contained HTML report (`blt stats --html`): summary, patch-length
 * histogram, entropy histogram with the threshold, bytes per patch per language, per-source
 * table, UTF-8 boundary share and n-gram table occupancy/collisions. Inline SVG only.
 */
import type { GroupStats } from '../stats/group-stats.js';
import { formatBytes, patchHistogramRows } from '../stats/format-report.js';
import type { ShardStatsReport } from '../stats/stats-report.js';
import { barChartSvg, hbarChartSvg, type Marker } from './bar-chart.js';
import { esc } from './svg.js';
import { htmlPage, htmlTable } from './html-page.js';

const int = (n: number): string => n.toLocaleString('en-US');
const pct = (x: number, d = 1): string => `${(100 * x).toFixed(d)}%`;
const fix = (x: number | null, d = 2): string => (x === null ? '-' : x.toFixed(d));

function groupRows(groups: GroupStats[]): string[][] {
  return groups.map((g) => [
    g.origin === 'script' ? `${g.key} (detected)` : g.key,
    int(g.documents),
    formatBytes(g.bytes),
    int(g.patches),
    fix(g.meanPatchLength),
    String(g.medianPatchLength),
    String(g.p90PatchLength),
    fix(g.bytesPerPatch),
    fix(g.meanEntropy),
    pct(g.insideCharacterShare, 2),
  ]);
}

const GROUP_HEAD = [
  '',
  'documents',
  'bytes',
  'patches',
  'mean length',
  'median',
  'p90',
  'bytes/patch',
  'mean H (nats)',
  'boundaries in a character',
];

export function statsHtml(r: ShardStatsReport): string {
  const body: string[] = [`<h1>Patch statistics: <code>${esc(r.shardDir)}</code></h1>`];
  const p = r.patching;
  const how =
    p.source === 'none'
      ? 'no patch lengths in this set'
      : `${p.source}${p.mode ? `, ${p.mode} mode` : ''}` +
        `${p.threshold !== undefined ? `, θ = ${p.threshold}` : ''}${p.monotonicity ? ', monotonic rule' : ''}`;
  const summary: string[][] = [
    ['documents', `${int(r.documents)}${r.complete ? '' : ' (stopped at --max-docs)'}`],
    ['bytes', `${int(r.bytes)} (${formatBytes(r.bytes)})`],
    ['tokens (bytes + BOS/EOS)', int(r.tokens)],
    ['patches', int(r.patches)],
    ['patching', how],
  ];
  if (r.patchLength) {
    const s = r.patchLength;
    summary.push([
      'patch length (tokens)',
      `mean ${s.mean.toFixed(3)} · median ${s.median} · p90 ${s.p90} · p99 ${s.p99} · max ${s.max}`,
    ]);
    summary.push(['bytes per patch', r.bytesPerPatch.toFixed(3)]);
  }
  if (r.entropy) {
    const q = r.entropy.quantiles;
    summary.push([
      'entropy (nats)',
      `mean ${r.entropy.mean.toFixed(3)} · p10 ${fix(q.p10 ?? 0)} · p50 ${fix(q.p50 ?? 0)} · ` +
        `p90 ${fix(q.p90 ?? 0)} · max ${r.entropy.max.toFixed(3)}`,
    ]);
  }
  summary.push([
    'patch starts inside a UTF-8 character',
    `${int(r.utf8.insideCharacter)} of ${int(r.utf8.boundaries)} (${pct(r.utf8.share, 2)})`,
  ]);
  body.push(htmlTable(['', ''], summary, 'kv'));

  if (r.patchLength) {
    const s = r.patchLength;
    const rows = patchHistogramRows(s.histogram);
    const markers: Marker[] = [{ at: s.mean - 0.5, label: `mean ${s.mean.toFixed(2)}`, color: '#d62728' }];
    body.push('<h2>Patch lengths</h2>');
    body.push(
      barChartSvg({
        title: 'Patch length histogram',
        bars: rows.map(([l, n]) => ({
          label: l,
          value: n,
          title: `length ${l}: ${int(n)} patches (${pct(s.patches ? n / s.patches : 0)})`,
        })),
        xLabel: 'patch length (tokens)',
        yLabel: 'patches',
        markers,
      }),
    );
    body.push(
      '<p class="note">Lengths count tokens as stored: the BOS patch (length 1) and EOS are included. ' +
        'Lengths above 32 are grouped.</p>',
    );
  }
  if (r.entropy) {
    const e = r.entropy;
    const bw = e.histogram.binWidth;
    const markers: Marker[] = [{ at: e.mean / bw, label: `mean ${e.mean.toFixed(2)}`, color: '#555' }];
    if (p.threshold !== undefined && !p.monotonicity)
      markers.push({ at: p.threshold / bw, label: `θ ${p.threshold.toFixed(3)}`, color: '#d62728' });
    body.push('<h2>Entropy distribution</h2>');
    body.push(
      barChartSvg({
        title: `Per-token entropy (${int(e.count)} values, bins of ${bw} nats)`,
        bars: e.histogram.counts.map((n, i) => ({
          label: (i * bw).toFixed(1),
          value: n,
          title: `${(i * bw).toFixed(2)}–${((i + 1) * bw).toFixed(2)} nats: ${int(n)}`,
        })),
        xLabel: 'entropy of the next-byte prediction (nats)',
        yLabel: 'tokens',
        markers,
        color: '#ee854a',
        labelEvery: 5,
        edgeLabels: true,
      }),
    );
    body.push(
      `<p class="note">The entropies that predict a byte or EOS (n_tokens − 1 per document). Quantiles are ` +
        `exact to ±${e.resolution} nats.</p>`,
    );
  }
  body.push('<h2>By language</h2>');
  const langs = r.byLanguage.slice(0, 40);
  if (r.patchLength && langs.length) {
    body.push(
      hbarChartSvg({
        title: 'Bytes per patch by language',
        rows: langs.map((g) => ({
          label: g.origin === 'script' ? `${g.key} (detected)` : g.key,
          value: g.bytesPerPatch,
          note: formatBytes(g.bytes),
        })),
        xLabel: 'text bytes per patch',
      }),
    );
  }
  body.push(htmlTable(['language', ...GROUP_HEAD.slice(1)], groupRows(r.byLanguage)));
  const sp = r.languageSpread;
  if (sp?.min && sp.max)
    body.push(
      `<p>Spread of bytes per patch across languages: <b>${sp.ratio.toFixed(2)}×</b> ` +
        `(${esc(sp.max.key)} ${sp.max.bytesPerPatch.toFixed(2)} ` +
        `/ ${esc(sp.min.key)} ${sp.min.bytesPerPatch.toFixed(2)}; ${sp.languages} languages with at ` +
        `least ${formatBytes(sp.minBytes)}).</p>`,
    );
  body.push(
    '<p class="note">Language is the shard\'s <code>lang</code> column when set; otherwise the Unicode ' +
      'script of most of the document\'s letters (first 16 KiB), marked "(detected)".</p>',
  );
  body.push('<h2>By source</h2>');
  body.push(htmlTable(['source', ...GROUP_HEAD.slice(1)], groupRows(r.bySource)));
  if (r.ngrams) {
    body.push('<h2>Hashed n-gram tables</h2>');
    body.push(
      hbarChartSvg({
        title: 'Table occupancy (distinct ids / vocab)',
        rows: r.ngrams.map((t) => ({
          label: t.column,
          value: 100 * t.occupancy,
          note: `${int(t.distinctIds)} of ${int(t.vocab)}`,
        })),
        xLabel: 'occupancy (%)',
        color: '#956cb4',
        digits: 2,
        unit: '%',
      }),
    );
    body.push(
      htmlTable(
        [
          'table',
          'vocab',
          'distinct ids',
          'occupancy',
          'ids sampled',
          'distinct n-grams (sample)',
          'collision rate',
          'uniform-hash expectation',
          'est. distinct n-grams',
        ],
        r.ngrams.map((t) => [
          t.column,
          int(t.vocab),
          int(t.distinctIds),
          pct(t.occupancy, 2),
          pct(t.collisions.sampleRate),
          int(t.collisions.ngrams),
          pct(t.collisions.rate, 2),
          pct(t.collisions.expectedUniform, 2),
          int(t.collisions.estimatedDistinctNgrams),
        ]),
      ),
    );
    const first = r.ngrams[0];
    body.push(
      `<p class="note">vocab from ${esc(first?.vocabFrom ?? '')}. Collision rate: among distinct n-grams ` +
        `whose id falls in a pseudo-random sample of ids (all ids while the distinct n-grams fit the budget), ` +
        `the share that share their id with another distinct n-gram of the data (see docs/stats.md).</p>`,
    );
  }
  return htmlPage(`blt stats ${r.shardDir}`, body);
}
