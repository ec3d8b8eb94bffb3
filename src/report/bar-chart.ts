/**
 * A vertical bar chart as SVG: one bar per labelled bin, a y axis with nice ticks, optional
 * vertical markers (mean, threshold…) placed at a fractional bar position.
 */
import { el, esc, niceStep, num, shortNumber, svgRoot, text } from './svg.js';

export interface Bar {
  label: string;
  value: number;
  /** tooltip (SVG <title>) */
  title?: string;
}

export interface Marker {
  /** position in bar units: 0 = left edge of the first bar, k = left edge of bar k */
  at: number;
  label: string;
  color: string;
}

export interface BarChartSpec {
  title: string;
  bars: Bar[];
  xLabel: string;
  yLabel: string;
  markers?: Marker[];
  width?: number;
  height?: number;
  color?: string;
  /** show every k-th x label (default: as many as fit) */
  labelEvery?: number;
  /** labels name the bins' left edges (a continuous axis) instead of the bins */
  edgeLabels?: boolean;
}

export function barChartSvg(spec: BarChartSpec): string {
  const width = spec.width ?? 720;
  const height = spec.height ?? 280;
  const m = { left: 56, right: 16, top: 30, bottom: 46 };
  const w = width - m.left - m.right;
  const h = height - m.top - m.bottom;
  const n = Math.max(1, spec.bars.length);
  const top = Math.max(1e-12, ...spec.bars.map((b) => b.value));
  const step = niceStep(top, 5);
  const yMax = Math.ceil(top / step) * step;
  const y = (v: number): number => m.top + h - (v / yMax) * h;
  const bw = w / n;
  const every = spec.labelEvery ?? Math.max(1, Math.ceil((n * 34) / w));
  const out: string[] = [text(m.left, 18, spec.title, { 'font-size': 14, 'font-weight': 'bold' })];
  for (let v = 0; v <= yMax + step / 2; v += step) {
    out.push(el('line', { x1: m.left, x2: m.left + w, y1: y(v), y2: y(v), stroke: '#e3e3e3' }));
    out.push(text(m.left - 6, y(v) + 4, shortNumber(v), { 'text-anchor': 'end', fill: '#555' }));
  }
  spec.bars.forEach((b, i) => {
    const x = m.left + i * bw;
    out.push(
      el(
        'rect',
        {
          x: x + bw * 0.1,
          y: y(b.value),
          width: Math.max(0.5, bw * 0.8),
          height: Math.max(0, m.top + h - y(b.value)),
          fill: spec.color ?? '#4878d0',
        },
        el('title', {}, esc(b.title ?? `${b.label}: ${b.value}`)),
      ),
    );
    if (i % every === 0) {
      const lx = spec.edgeLabels ? x : x + bw / 2;
      if (spec.edgeLabels) out.push(el('line', { x1: lx, x2: lx, y1: m.top + h, y2: m.top + h + 4, stroke: '#333' }));
      out.push(text(lx, m.top + h + 15, b.label, { 'text-anchor': 'middle', fill: '#333', 'font-size': 11 }));
    }
  });
  const xs = (spec.markers ?? []).map((mk) => m.left + mk.at * bw);
  (spec.markers ?? []).forEach((mk, k) => {
    const x = xs[k] as number;
    out.push(
      el('line', {
        x1: x,
        x2: x,
        y1: m.top,
        y2: m.top + h,
        stroke: mk.color,
        'stroke-width': 1.5,
        'stroke-dasharray': '5 3',
      }),
    );
    // a label goes left of its line when another marker's line is just to its right
    const crowded = xs.some((o, j) => j !== k && o > x && o - x < 90);
    out.push(
      text(crowded ? x - 4 : x + 4, m.top + 12, mk.label, {
        fill: mk.color,
        'font-size': 11,
        'text-anchor': crowded ? 'end' : 'start',
      }),
    );
  });
  out.push(el('line', { x1: m.left, x2: m.left + w, y1: m.top + h, y2: m.top + h, stroke: '#333' }));
  out.push(text(m.left + w / 2, height - 8, spec.xLabel, { 'text-anchor': 'middle', fill: '#333' }));
  out.push(
    text(14, m.top + h / 2, spec.yLabel, {
      'text-anchor': 'middle',
      fill: '#333',
      transform: `rotate(-90 14 ${num(m.top + h / 2)})`,
    }),
  );
  return svgRoot(width, height, out, { role: 'img', 'aria-label': spec.title });
}

export interface HBar {
  label: string;
  value: number;
  note?: string;
}

/** Horizontal bars (one row per group), value printed at the end of each bar. */
export function hbarChartSvg(spec: {
  title: string;
  rows: HBar[];
  xLabel: string;
  width?: number;
  color?: string;
  digits?: number;
  unit?: string;
}): string {
  const width = spec.width ?? 720;
  const rowH = 22;
  const labelW = Math.min(220, 12 + 7 * Math.max(4, ...spec.rows.map((r) => r.label.length)));
  const valueText = (r: HBar): string =>
    `${r.value.toFixed(spec.digits ?? 2)}${spec.unit ?? ''}${r.note ? `  (${r.note})` : ''}`;
  const m = {
    left: labelW,
    right: 16 + 6.5 * Math.max(...spec.rows.map((r) => valueText(r).length), 4),
    top: 30,
    bottom: 34,
  };
  const w = width - m.left - m.right;
  const height = m.top + m.bottom + rowH * Math.max(1, spec.rows.length);
  const top = Math.max(1e-12, ...spec.rows.map((r) => r.value));
  const out: string[] = [text(8, 18, spec.title, { 'font-size': 14, 'font-weight': 'bold' })];
  spec.rows.forEach((r, i) => {
    const yy = m.top + i * rowH;
    const bw = (r.value / top) * w;
    const label = r.label.length > 30 ? `…${r.label.slice(-29)}` : r.label;
    out.push(text(m.left - 8, yy + 15, label, { 'text-anchor': 'end', fill: '#333' }));
    out.push(
      el(
        'rect',
        { x: m.left, y: yy + 4, width: Math.max(0.5, bw), height: rowH - 8, fill: spec.color ?? '#6acc65' },
        el('title', {}, esc(`${r.label}: ${r.value}${r.note ? ` (${r.note})` : ''}`)),
      ),
    );
    out.push(text(m.left + bw + 6, yy + 15, valueText(r), { fill: '#333', 'font-size': 11 }));
  });
  out.push(text(m.left + w / 2, height - 10, spec.xLabel, { 'text-anchor': 'middle', fill: '#333' }));
  return svgRoot(width, height, out, { role: 'img', 'aria-label': spec.title });
}
