/**
 * The paper's entropy figure as SVG (BLT, Figure 4): per-byte entropy as a line over the
 * bytes, the global threshold as a dashed horizontal line, a vertical mark at every patch
 * start, the characters along the x axis, patches shaded alternately. Long texts wrap into
 * rows (figure-layout.ts) that share one y scale.
 *
 * Marked elements (for tests and for styling): `line.threshold` (one per row, global rule
 * only), `line.patch-start` (one per patch start on a byte, `data-byte`), `polyline.entropy`.
 */
import { byteStarts, charCells, wrapRows, type FigureInput } from './figure-layout.js';
import { el, esc, num, svgRoot, text } from './svg.js';

export interface FigureOptions {
  /** bytes per row before wrapping (default 64) */
  bytesPerRow?: number;
  /** horizontal pixels per byte (default 16) */
  cellWidth?: number;
  /** plot height of each row in pixels (default 150) */
  plotHeight?: number;
  /** a title line above the plot */
  title?: string;
  /** a note under the title (e.g. "first 4096 of 10000 bytes") */
  note?: string;
}

const COLORS = {
  line: '#1f4e9c',
  above: '#d62728',
  below: '#1f4e9c',
  threshold: '#d62728',
  start: '#555',
  band: '#eef3fb',
  grid: '#e6e6e6',
};

export function entropyFigureSvg(input: FigureInput, opts: FigureOptions = {}): string {
  const { bytes, entropies, threshold, monotonicity } = input;
  const cw = opts.cellWidth ?? 16;
  const plotH = opts.plotHeight ?? 150;
  const perRow = Math.max(4, opts.bytesPerRow ?? 80);
  const rows = wrapRows(charCells(bytes), perRow);
  if (rows.length === 0) rows.push({ start: 0, end: 0, chars: [] });
  const starts = byteStarts(input.patchLengths, bytes.length);
  const startSet = new Set(starts);

  let maxH = 0;
  for (let j = 0; j < bytes.length; j++) maxH = Math.max(maxH, entropies[j] as number);
  const yMax = Math.max(1, Math.ceil(Math.max(maxH, monotonicity ? 0 : threshold) + 0.25));
  const left = 58;
  const rowBytes = Math.max(...rows.map((r) => r.end - r.start), 1);
  const width = left + rowBytes * cw + 24;
  const headH = opts.note ? 62 : 46;
  const labelH = 30;
  const gap = 22;
  const rowH = plotH + labelH + gap;
  const height = headH + rows.length * rowH + 8;

  const out: string[] = [];
  out.push(el('rect', { x: 0, y: 0, width, height, fill: 'white' }));
  const nPatches = input.patchLengths.length;
  const tokens = bytes.length + 2;
  const title = opts.title ?? 'Entropy of the next-byte prediction';
  out.push(text(left, 20, title, { 'font-size': 15, 'font-weight': 'bold' }));
  const rule = monotonicity
    ? `relative rule: a byte starts a patch when H rises by more than θr = ${threshold} over the previous ` +
      `byte (no horizontal line)`
    : `dashed line: θ = ${threshold}; a byte whose point is above it starts a patch`;
  out.push(
    text(
      left,
      38,
      `${rule} · │ patch start · ${bytes.length} bytes, ${nPatches} patches, ` +
        `mean ${(tokens / Math.max(1, nPatches)).toFixed(2)} tokens/patch`,
      { 'font-size': 12, fill: '#444' },
    ),
  );
  if (opts.note) out.push(text(left, 54, opts.note, { 'font-size': 12, fill: '#888' }));

  rows.forEach((row, r) => {
    const top = headH + r * rowH;
    const base = top + plotH;
    const x = (j: number): number => left + (j - row.start) * cw; // left edge of byte j
    const y = (h: number): number => base - (Math.max(0, Math.min(h, yMax)) / yMax) * plotH;
    const w = (row.end - row.start) * cw;
    const g: string[] = [];
    // patch bands: every other patch shaded (patch k = the k-th patch starting on a byte, from 1)
    let patchIndex = starts.filter((s) => s <= row.start).length;
    let bandStart = row.start;
    for (let j = row.start; j <= row.end; j++) {
      if (j === row.end || (j > bandStart && startSet.has(j))) {
        if (patchIndex % 2 === 0)
          g.push(
            el('rect', {
              class: 'patch-band',
              x: x(bandStart),
              y: top,
              width: (j - bandStart) * cw,
              height: plotH,
              fill: COLORS.band,
            }),
          );
        bandStart = j;
        patchIndex++;
      }
    }
    for (let v = 0; v <= yMax; v++) {
      g.push(el('line', { x1: left, x2: left + w, y1: y(v), y2: y(v), stroke: COLORS.grid }));
      g.push(text(left - 8, y(v) + 4, String(v), { 'text-anchor': 'end', fill: '#666', 'font-size': 11 }));
    }
    g.push(
      text(14, top + plotH / 2, 'H (nats)', {
        'text-anchor': 'middle',
        fill: '#666',
        'font-size': 11,
        transform: `rotate(-90 14 ${num(top + plotH / 2)})`,
      }),
    );
    for (let j = row.start; j < row.end; j++) {
      if (startSet.has(j))
        g.push(
          el('line', {
            class: 'patch-start',
            'data-byte': j,
            x1: x(j),
            x2: x(j),
            y1: top,
            y2: base + 4,
            stroke: COLORS.start,
            'stroke-width': 1,
          }),
        );
    }
    if (!monotonicity)
      g.push(
        el('line', {
          class: 'threshold',
          x1: left,
          x2: left + w,
          y1: y(threshold),
          y2: y(threshold),
          stroke: COLORS.threshold,
          'stroke-width': 1.5,
          'stroke-dasharray': '6 4',
        }),
      );
    const pts: string[] = [];
    for (let j = row.start; j < row.end; j++) pts.push(`${num(x(j) + cw / 2)},${num(y(entropies[j] as number))}`);
    if (pts.length)
      g.push(
        el('polyline', {
          class: 'entropy',
          points: pts.join(' '),
          fill: 'none',
          stroke: COLORS.line,
          'stroke-width': 1.5,
          'stroke-linejoin': 'round',
        }),
      );
    for (let j = row.start; j < row.end; j++) {
      const h = entropies[j] as number;
      const hot = monotonicity ? startSet.has(j) : h > threshold;
      g.push(
        el(
          'circle',
          { cx: x(j) + cw / 2, cy: y(h), r: 2.6, fill: hot ? COLORS.above : COLORS.below },
          el('title', {}, esc(`byte ${j}: H = ${h.toFixed(4)}`)),
        ),
      );
    }
    g.push(el('line', { x1: left, x2: left + w, y1: base, y2: base, stroke: '#333' }));
    g.push(text(left - 8, base + 20, String(row.start), { 'text-anchor': 'end', fill: '#999', 'font-size': 10 }));
    for (const c of row.chars) {
      const cx = x(c.start) + (c.length * cw) / 2;
      g.push(
        text(
          cx,
          base + 20,
          c.label,
          c.symbolic
            ? { 'text-anchor': 'middle', fill: '#999', 'font-size': c.label.length > 1 ? 9 : 13 }
            : { 'text-anchor': 'middle', fill: '#111', 'font-size': 14 },
        ),
      );
      if (c.length > 1)
        g.push(
          el('line', {
            x1: x(c.start) + 2,
            x2: x(c.start + c.length) - 2,
            y1: base + 26,
            y2: base + 26,
            stroke: '#bbb',
          }),
        );
    }
    out.push(el('g', { class: 'row', 'data-start': row.start }, ...g));
  });
  return svgRoot(width, height, out, { role: 'img', 'aria-label': title });
}
