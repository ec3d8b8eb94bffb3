/** ShardStatsReport → the plain-text tables `blt stats` prints on a terminal. */
import type { GroupStats } from './group-stats.js';
import type { ShardStatsReport } from './stats-report.js';

const int = (n: number): string => n.toLocaleString('en-US');
const pct = (x: number, digits = 1): string => `${(100 * x).toFixed(digits)}%`;
const fix = (x: number | null, d = 2): string => (x === null ? '-' : x.toFixed(d));

export function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let u = 0;
  let v = n;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return u === 0 ? `${n} B` : `${v.toFixed(v < 10 ? 2 : 1)} ${units[u] as string}`;
}

const bar = (n: number, top: number, width: number): string =>
  '█'.repeat(Math.max(n > 0 ? 1 : 0, Math.round((n / Math.max(1, top)) * width)));

/** Patch-length histogram rows: every length 1..min(max, cap) (zeros included), longer ones grouped. */
export function patchHistogramRows(histogram: Record<string, number>, cap = 32): Array<[string, number]> {
  const lengths = Object.keys(histogram).map(Number);
  const top = Math.min(cap, Math.max(0, ...lengths));
  const rows: Array<[string, number]> = [];
  for (let l = 1; l <= top; l++) rows.push([String(l), histogram[String(l)] ?? 0]);
  let over = 0;
  for (const [len, n] of Object.entries(histogram)) if (Number(len) > cap) over += n;
  if (over) rows.push([`>${cap}`, over]);
  return rows;
}

function groupTable(title: string, groups: GroupStats[], limit: number): string[] {
  const keyWidth = Math.min(28, Math.max(title.length, ...groups.slice(0, limit).map((g) => g.key.length)));
  const head =
    `${title.padEnd(keyWidth)}  ${'docs'.padStart(8)} ${'bytes'.padStart(10)} ${'patches'.padStart(10)} ` +
    `${'mean len'.padStart(8)} ${'bytes/patch'.padStart(11)} ${'H mean'.padStart(6)} ${'in-char'.padStart(7)}`;
  const lines = [head];
  for (const g of groups.slice(0, limit)) {
    const key = g.key.length > keyWidth ? `…${g.key.slice(g.key.length - keyWidth + 1)}` : g.key;
    lines.push(
      `${key.padEnd(keyWidth)}  ${int(g.documents).padStart(8)} ${formatBytes(g.bytes).padStart(10)} ` +
        `${int(g.patches).padStart(10)} ${fix(g.meanPatchLength).padStart(8)} ` +
        `${fix(g.bytesPerPatch).padStart(11)} ${fix(g.meanEntropy).padStart(6)} ` +
        `${pct(g.insideCharacterShare).padStart(7)}`,
    );
  }
  if (groups.length > limit) lines.push(`… ${groups.length - limit} more (all of them in --json or --html)`);
  return lines;
}

export function formatStatsReport(r: ShardStatsReport, opts: { limit?: number } = {}): string {
  const limit = opts.limit ?? 20;
  const p = r.patching;
  const theta = p.threshold !== undefined ? `, θ = ${p.threshold}` : '';
  const perScript = p.scriptThresholds
    ? `, per script: ${Object.entries(p.scriptThresholds)
        .map(([k, v]) => `${k.replace(/^script:/, '')} ${v}`)
        .join(', ')}`
    : '';
  const how =
    p.source === 'none'
      ? 'none (no patch_lengths column)'
      : p.source + (p.mode ? ` (${p.mode}${theta}${perScript}${p.monotonicity ? ', monotonic' : ''})` : '');
  const lines = [
    `shard set      ${r.shardDir}${r.complete ? '' : '  (stopped at --max-docs: partial)'}`,
    `documents      ${int(r.documents)}`,
    `bytes          ${int(r.bytes)} (${formatBytes(r.bytes)}), tokens ${int(r.tokens)} (bytes + BOS/EOS)`,
    `patches        ${int(r.patches)}   patching: ${how}`,
  ];
  if (r.patchLength) {
    const s = r.patchLength;
    lines.push(
      `patch length   mean ${s.mean.toFixed(3)}  median ${s.median}  p90 ${s.p90}  p99 ${s.p99}  ` +
        `max ${s.max}   (bytes/patch ${r.bytesPerPatch.toFixed(3)})`,
    );
    const rows = patchHistogramRows(s.histogram);
    const top = Math.max(1, ...rows.map(([, n]) => n));
    for (const [len, n] of rows)
      lines.push(
        `  ${len.padStart(4)} ${int(n).padStart(12)} ${pct(s.patches ? n / s.patches : 0).padStart(6)} ` +
          `${bar(n, top, 40)}`,
      );
  }
  if (r.entropy) {
    const e = r.entropy;
    const q = e.quantiles;
    lines.push(
      '',
      `entropy (nats) ${int(e.count)} values   mean ${e.mean.toFixed(3)}  min ${e.min.toFixed(3)}  ` +
        `max ${e.max.toFixed(3)}`,
    );
    lines.push(
      `  quantiles    p10 ${fix(q.p10 ?? 0)}  p25 ${fix(q.p25 ?? 0)}  p50 ${fix(q.p50 ?? 0)}  ` +
        `p75 ${fix(q.p75 ?? 0)}  p90 ${fix(q.p90 ?? 0)}  p99 ${fix(q.p99 ?? 0)}   (±${e.resolution})`,
    );
    const c = e.histogram.counts;
    const step = Math.max(1, Math.round(0.5 / e.histogram.binWidth)); // 0.5-nat rows
    const rows: Array<[string, number]> = [];
    for (let b = 0; b < c.length; b += step) {
      const n = c.slice(b, b + step).reduce((x, y) => x + y, 0);
      rows.push([`${(b * e.histogram.binWidth).toFixed(1)}–${((b + step) * e.histogram.binWidth).toFixed(1)}`, n]);
    }
    const top = Math.max(1, ...rows.map(([, n]) => n));
    for (const [label, n] of rows)
      lines.push(
        `  ${label.padStart(9)} ${int(n).padStart(12)} ${pct(e.count ? n / e.count : 0).padStart(6)} ` +
          `${bar(n, top, 40)}`,
      );
  }
  lines.push(
    '',
    `boundaries inside a UTF-8 character: ${int(r.utf8.insideCharacter)} of ${int(r.utf8.boundaries)} patch ` +
      `starts on bytes (${pct(r.utf8.share, 2)})`,
  );
  lines.push('', ...groupTable('language', r.byLanguage, limit));
  const sp = r.languageSpread;
  if (sp.min && sp.max) {
    lines.push(
      `bytes/patch spread across languages: ${sp.ratio.toFixed(2)}× ` +
        `(${sp.max.key} ${sp.max.bytesPerPatch.toFixed(2)} ` +
        `/ ${sp.min.key} ${sp.min.bytesPerPatch.toFixed(2)}; ${sp.languages} languages with ` +
        `≥ ${formatBytes(sp.minBytes)})`,
    );
  }
  lines.push('', ...groupTable('source', r.bySource, limit));
  if (r.ngrams) {
    lines.push(
      '',
      `${'n-gram table'.padEnd(16)} ${'vocab'.padStart(9)} ${'distinct ids'.padStart(12)} ` +
        `${'occupancy'.padStart(9)}  ${'collisions (sample)'.padStart(19)} ${'uniform hash'.padStart(12)}`,
    );
    for (const t of r.ngrams) {
      const c = t.collisions;
      lines.push(
        `${t.column.padEnd(16)} ${int(t.vocab).padStart(9)} ${int(t.distinctIds).padStart(12)} ` +
          `${pct(t.occupancy).padStart(9)}  ${`${pct(c.rate)} of ${int(c.ngrams)}`.padStart(19)} ` +
          `${pct(c.expectedUniform).padStart(12)}`,
      );
    }
    const first = r.ngrams[0];
    if (first) {
      lines.push(
        `  vocab from ${first.vocabFrom}; collisions: share of distinct n-grams sharing their id, measured ` +
          `on ${pct(first.collisions.sampleRate)} of the ids (docs/stats.md)`,
      );
      const out = r.ngrams.filter((t) => t.outOfRange > 0);
      if (out.length)
        lines.push(`  warning: ids ≥ vocab in ${out.map((t) => t.column).join(', ')}: pass the right --ngram-vocab`);
    }
  }
  return lines.join('\n');
}
