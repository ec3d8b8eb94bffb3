/**
 * Self-contained SVG plots for docs/results/ (no external assets, no fonts beyond sans-serif):
 * a line chart (x log-scaled or linear, several series with markers) and a bar histogram.
 */

export interface Series {
  readonly name: string;
  readonly points: ReadonlyArray<readonly [number, number]>;
  /** An extra point drawn as a hollow square (e.g. the end-of-run figure on a different set). */
  readonly final?: readonly [number, number];
}

const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#17becf', '#7f7f7f'];

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fmt = (v: number): string =>
  Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-2 && v !== 0) ? v.toExponential(1) : String(Math.round(v * 100) / 100);

function ticks(lo: number, hi: number, n: number): number[] {
  if (!(hi > lo)) return [lo];
  const step = (hi - lo) / n;
  const mag = 10 ** Math.floor(Math.log10(step));
  const nice = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= step) ?? step;
  const out: number[] = [];
  for (let v = Math.ceil(lo / nice) * nice; v <= hi + 1e-12; v += nice) out.push(v);
  return out;
}

/** Line chart; every series gets a colour, markers at its points and a legend entry. */
export function lineChartSvg(o: {
  title: string;
  subtitle?: string;
  xLabel: string;
  yLabel: string;
  series: readonly Series[];
  width?: number;
  height?: number;
  dashed?: (name: string) => boolean;
  colourKey?: (name: string) => string;
}): string {
  const W = o.width ?? 720;
  const H = o.height ?? 420;
  const m = { l: 64, r: 200, t: 40, b: 52 };
  const all = o.series.flatMap((s) => (s.final ? [...s.points, s.final] : s.points));
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]);
  let [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  let [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  if (!Number.isFinite(x0)) [x0, x1] = [0, 1];
  if (!Number.isFinite(y0)) [y0, y1] = [0, 1];
  const padY = (y1 - y0) * 0.08 || 0.5;
  y0 -= padY;
  y1 += padY;
  if (x1 === x0) x1 = x0 + 1;
  const X = (v: number): number => m.l + ((v - x0) / (x1 - x0)) * (W - m.l - m.r);
  const Y = (v: number): number => H - m.b - ((v - y0) / (y1 - y0)) * (H - m.t - m.b);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2 - m.r / 2}" y="18" text-anchor="middle" font-size="14">${esc(o.title)}</text>`,
  ];
  if (o.subtitle) parts.push(`<text x="${m.l}" y="32" font-size="10" fill="#555">${esc(o.subtitle)}</text>`);
  for (const t of ticks(y0, y1, 6)) {
    parts.push(
      `<line x1="${m.l}" x2="${W - m.r}" y1="${Y(t)}" y2="${Y(t)}" stroke="#ddd"/><text x="${m.l - 6}" y="${Y(t) + 4}" text-anchor="end">${fmt(t)}</text>`,
    );
  }
  for (const t of ticks(x0, x1, 6)) {
    parts.push(
      `<line x1="${X(t)}" x2="${X(t)}" y1="${m.t}" y2="${H - m.b}" stroke="#eee"/><text x="${X(t)}" y="${H - m.b + 16}" text-anchor="middle">${fmt(t)}</text>`,
    );
  }
  parts.push(
    `<rect x="${m.l}" y="${m.t}" width="${W - m.l - m.r}" height="${H - m.t - m.b}" fill="none" stroke="#333"/>`,
  );
  parts.push(`<text x="${(m.l + W - m.r) / 2}" y="${H - 12}" text-anchor="middle">${esc(o.xLabel)}</text>`);
  parts.push(
    `<text transform="translate(16 ${(m.t + H - m.b) / 2}) rotate(-90)" text-anchor="middle">${esc(o.yLabel)}</text>`,
  );
  const keys: string[] = [];
  for (const s of o.series) {
    const k = o.colourKey?.(s.name) ?? s.name;
    if (!keys.includes(k)) keys.push(k);
  }
  o.series.forEach((s, i) => {
    const c = COLOURS[keys.indexOf(o.colourKey?.(s.name) ?? s.name) % COLOURS.length] as string;
    const pts = [...s.points].sort((a, b) => a[0] - b[0]);
    const dash = o.dashed?.(s.name) ? ' stroke-dasharray="5 3"' : '';
    if (pts.length > 1)
      parts.push(
        `<polyline fill="none" stroke="${c}" stroke-width="1.6"${dash} points="${pts.map((p) => `${X(p[0]).toFixed(1)},${Y(p[1]).toFixed(1)}`).join(' ')}"/>`,
      );
    for (const p of pts)
      parts.push(`<circle cx="${X(p[0]).toFixed(1)}" cy="${Y(p[1]).toFixed(1)}" r="2.8" fill="${c}"/>`);
    if (s.final)
      parts.push(
        `<rect x="${(X(s.final[0]) - 4).toFixed(1)}" y="${(Y(s.final[1]) - 4).toFixed(1)}" width="8" height="8" fill="none" stroke="${c}" stroke-width="1.6"/>`,
      );
    const ly = m.t + 14 + i * 18;
    parts.push(
      `<line x1="${W - m.r + 12}" x2="${W - m.r + 34}" y1="${ly - 4}" y2="${ly - 4}" stroke="${c}" stroke-width="2"${dash}/><text x="${W - m.r + 40}" y="${ly}">${esc(s.name)}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

/** Histogram of integer values 1..maxBin (the last bin collects everything ≥ maxBin), as shares. */
export function histogramSvg(o: {
  title: string;
  xLabel: string;
  counts: readonly number[];
  maxBin: number;
  note?: string;
  width?: number;
  height?: number;
}): string {
  const W = o.width ?? 360;
  const H = o.height ?? 240;
  const m = { l: 48, r: 12, t: 34, b: 44 };
  const total = o.counts.reduce((a, b) => a + b, 0) || 1;
  const shares = o.counts.slice(1, o.maxBin + 1).map((c) => c / total);
  const top = Math.max(...shares, 1e-9);
  const bw = (W - m.l - m.r) / o.maxBin;
  const Y = (v: number): number => H - m.b - (v / top) * (H - m.t - m.b);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="16" text-anchor="middle" font-size="13">${esc(o.title)}</text>`,
  ];
  if (o.note) parts.push(`<text x="${W / 2}" y="29" text-anchor="middle" fill="#555">${esc(o.note)}</text>`);
  for (const t of ticks(0, top, 4))
    parts.push(
      `<line x1="${m.l}" x2="${W - m.r}" y1="${Y(t)}" y2="${Y(t)}" stroke="#ddd"/><text x="${m.l - 4}" y="${Y(t) + 4}" text-anchor="end">${Math.round(t * 100)}%</text>`,
    );
  shares.forEach((s, i) => {
    parts.push(
      `<rect x="${(m.l + i * bw + 1).toFixed(1)}" y="${Y(s).toFixed(1)}" width="${Math.max(1, bw - 2).toFixed(1)}" height="${(H - m.b - Y(s)).toFixed(1)}" fill="#1f77b4"/>`,
    );
    if (o.maxBin <= 16 || (i + 1) % 2 === 1)
      parts.push(
        `<text x="${(m.l + (i + 0.5) * bw).toFixed(1)}" y="${H - m.b + 13}" text-anchor="middle">${i + 1 === o.maxBin ? `${i + 1}+` : i + 1}</text>`,
      );
  });
  parts.push(`<text x="${(m.l + W - m.r) / 2}" y="${H - 8}" text-anchor="middle">${esc(o.xLabel)}</text>`, '</svg>');
  return `${parts.join('\n')}\n`;
}
