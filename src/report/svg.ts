/**
 * Tiny SVG/HTML building helpers: escaping, attribute rendering and rounded coordinates. Every
 * chart of src/report is a string built with these; no DOM, no external resources.
 */

/** Escapes text for an XML/HTML text node or attribute value. */
export function esc(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );
}

/** A coordinate rounded to 0.01 (smaller files, stable output). */
export function num(x: number): string {
  return String(Math.round(x * 100) / 100);
}

export type Attrs = Record<string, string | number | undefined>;

function attrs(a: Attrs): string {
  let out = '';
  for (const [k, v] of Object.entries(a)) {
    if (v === undefined) continue;
    out += ` ${k}="${typeof v === 'number' ? num(v) : esc(v)}"`;
  }
  return out;
}

/** `<tag attrs>children</tag>`, or self-closing without children. Children are raw markup. */
export function el(tag: string, a: Attrs, ...children: string[]): string {
  return children.length === 0 ? `<${tag}${attrs(a)}/>` : `<${tag}${attrs(a)}>${children.join('')}</${tag}>`;
}

/** A text element (content escaped). */
export function text(x: number, y: number, content: string, a: Attrs = {}): string {
  return el('text', { x, y, ...a }, esc(content));
}

/** The root `<svg>` with the namespace, a viewBox and a default font. */
export function svgRoot(width: number, height: number, body: string[], a: Attrs = {}): string {
  return el(
    'svg',
    {
      xmlns: 'http://www.w3.org/2000/svg',
      width,
      height,
      viewBox: `0 0 ${num(width)} ${num(height)}`,
      'font-family': FONT_STACK,
      'font-size': 12,
      ...a,
    },
    ...body,
  );
}

/** System fonts that cover Latin, Greek, Cyrillic, CJK, Arabic, Hebrew, Indic scripts. */
const FONT_STACK =
  "'Noto Sans', 'DejaVu Sans', 'Noto Sans CJK SC', 'Noto Sans Arabic', 'Noto Sans Devanagari', 'Segoe UI', " +
  "'Helvetica Neue', Arial, sans-serif";

/** "Nice" tick step for a range: 1, 2 or 5 × 10^k giving about `count` ticks. */
export function niceStep(range: number, count: number): number {
  if (!(range > 0)) return 1;
  const raw = range / Math.max(1, count);
  const p = 10 ** Math.floor(Math.log10(raw));
  const m = raw / p;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

/** Compact number for an axis label: 1200 → 1.2k, 3500000 → 3.5M. */
export function shortNumber(n: number): string {
  const a = Math.abs(n);
  if (a >= 1e9) return `${+(n / 1e9).toFixed(1)}G`;
  if (a >= 1e6) return `${+(n / 1e6).toFixed(1)}M`;
  if (a >= 1e3) return `${+(n / 1e3).toFixed(1)}k`;
  return String(+n.toFixed(2));
}
