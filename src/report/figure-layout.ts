/**
 * What the entropy figure shows, independent of how it is drawn (SVG or terminal):
 *
 * - one column per byte of the text; the value over byte j is H[j], the entropy of the
 *   prediction of that byte (token j + 1 is predicted from the tokens before it), so the rule
 *   "token t starts a patch iff H[t-1] > θ" reads as "a byte whose point is above the line
 *   starts a patch";
 * - patch starts on bytes (tokens 1..n; the BOS patch and a patch starting at EOS are not
 *   drawn);
 * - characters: each well-formed UTF-8 sequence is one label spanning its bytes; bytes that are
 *   not part of one are shown as hex;
 * - rows: long texts wrap at character boundaries, preferably after a space.
 */
import { walkUtf8 } from '../bytes/utf8.js';

export interface FigureInput {
  /** the text's bytes [n] */
  bytes: Uint8Array;
  /** per-token entropies [n + 2] (BOS, bytes, EOS) */
  entropies: ArrayLike<number>;
  /** patch lengths over the tokens, Σ = n + 2 (or n + 3 with the next token) */
  patchLengths: ArrayLike<number>;
  threshold: number;
  monotonicity: boolean;
}

export interface CharCell {
  /** first byte index */
  start: number;
  /** bytes spanned */
  length: number;
  /** what to print */
  label: string;
  /** a control byte, space or invalid byte shown symbolically */
  symbolic: boolean;
}

export interface FigureRow {
  /** byte range [start, end) */
  start: number;
  end: number;
  chars: CharCell[];
}

const SYMBOLS: Record<number, string> = { 0x20: '␣', 0x0a: '↵', 0x0d: '␍', 0x09: '⇥' };

/** bytes [n] → one cell per code point (or per invalid/control byte), covering every byte. */
function codePointCells(bytes: Uint8Array): CharCell[] {
  const cells: CharCell[] = [];
  walkUtf8(bytes, (i, len) => {
    const b = bytes[i] as number;
    if (len === 0) cells.push({ start: i, length: 1, label: b.toString(16).padStart(2, '0'), symbolic: true });
    else if (len === 1 && (b <= 0x20 || b === 0x7f))
      cells.push({ start: i, length: 1, label: SYMBOLS[b] ?? b.toString(16).padStart(2, '0'), symbolic: true });
    else {
      const label = Buffer.from(bytes.subarray(i, i + len)).toString('utf8');
      cells.push({ start: i, length: len, label, symbolic: false });
    }
  });
  return cells;
}

const graphemes = new Intl.Segmenter('und', { granularity: 'grapheme' });

/**
 * bytes [n] → character cells covering every byte, in order: one per grapheme cluster (a base
 * letter with its combining marks, an emoji sequence), so that e.g. Devanagari vowel signs sit
 * on their consonant; control bytes, spaces and invalid bytes get a cell each.
 */
export function charCells(bytes: Uint8Array): CharCell[] {
  const cps = codePointCells(bytes);
  const out: CharCell[] = [];
  let i = 0;
  while (i < cps.length) {
    const c = cps[i] as CharCell;
    if (c.symbolic) {
      out.push(c);
      i++;
      continue;
    }
    let j = i;
    let run = '';
    while (j < cps.length && !(cps[j] as CharCell).symbolic) run += (cps[j++] as CharCell).label;
    let k = i;
    for (const seg of graphemes.segment(run)) {
      let units = 0;
      const first = cps[k] as CharCell;
      let length = 0;
      while (units < seg.segment.length && k < j) {
        const cell = cps[k++] as CharCell;
        units += cell.label.length;
        length += cell.length;
      }
      out.push({ start: first.start, length, label: seg.segment, symbolic: false });
    }
    i = j;
  }
  return out;
}

/**
 * Cells → rows of at most `bytesPerRow` bytes, breaking at character boundaries; a row ends
 * after its last space when that space is within the last quarter of the row.
 */
export function wrapRows(cells: CharCell[], bytesPerRow: number): FigureRow[] {
  const rows: FigureRow[] = [];
  let i = 0;
  while (i < cells.length) {
    const first = cells[i] as CharCell;
    let j = i;
    let lastSpace = -1;
    while (j < cells.length) {
      const c = cells[j] as CharCell;
      if (j > i && c.start + c.length - first.start > bytesPerRow) break;
      if (c.label === '␣' || c.label === '↵') lastSpace = j;
      j++;
    }
    if (j < cells.length && lastSpace > i) {
      const sp = cells[lastSpace] as CharCell;
      if (sp.start + 1 - first.start >= 0.75 * bytesPerRow) j = lastSpace + 1;
    }
    const last = cells[j - 1] as CharCell;
    rows.push({ start: first.start, end: last.start + last.length, chars: cells.slice(i, j) });
    i = j;
  }
  return rows;
}

/** Patch start positions (token indices, ascending) from patch lengths. */
function patchStarts(lengths: ArrayLike<number>): number[] {
  const starts: number[] = [];
  let pos = 0;
  for (let p = 0; p < lengths.length; p++) {
    starts.push(pos);
    pos += lengths[p] as number;
  }
  return starts;
}

/** Byte indices (0-based) where a patch starts: token t ∈ [1, n] → byte t - 1. */
export function byteStarts(lengths: ArrayLike<number>, nBytes: number): number[] {
  return patchStarts(lengths)
    .filter((t) => t >= 1 && t <= nBytes)
    .map((t) => t - 1);
}
