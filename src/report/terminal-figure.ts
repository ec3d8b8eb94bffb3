/**
 * The entropy figure on a terminal (`blt inspect --chart`): per row of bytes, a bar chart of
 * H over the bytes (eighth-block characters, `height` lines), the threshold as `╌` where no bar
 * reaches it, the characters (one column per byte: a character spanning k bytes is padded to k
 * columns) and `^` under every byte that starts a patch. With colour, patches alternate
 * background colours on the character line and bars above θ are red.
 */
import { byteStarts, charCells, wrapRows, type FigureInput } from './figure-layout.js';

const BLOCKS = ' ▁▂▃▄▅▆▇█';

/** Code point ranges [first, last] that take no terminal column (combining marks, the zero-width joiner). */
const ZERO_WIDTH: readonly (readonly [number, number])[] = [
  [0x0300, 0x036f],
  [0x0900, 0x0903],
  [0x093a, 0x094f],
  [0x0610, 0x061a],
  [0x064b, 0x065f],
  [0x200d, 0x200d],
];

/** Code point ranges [first, last] that take two terminal columns (East Asian wide/fullwidth, emoji). */
const DOUBLE_WIDTH: readonly (readonly [number, number])[] = [
  [0x1100, 0x115f],
  [0x2e80, 0xa4cf],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe30, 0xfe4f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
  [0x1f300, 0x1faff],
  [0x20000, 0x3fffd],
];

const inRanges = (cp: number, ranges: readonly (readonly [number, number])[]): boolean =>
  ranges.some(([first, last]) => cp >= first && cp <= last);

/** Display width of a character in a terminal: 2 for East Asian wide/fullwidth and emoji, 0 for combining marks. */
export function displayWidth(ch: string): number {
  const cp = ch.codePointAt(0) ?? 0;
  if (inRanges(cp, ZERO_WIDTH)) return 0;
  return inRanges(cp, DOUBLE_WIDTH) ? 2 : 1;
}

export function terminalFigure(
  input: FigureInput,
  opts: { bytesPerRow?: number; height?: number; colour?: boolean } = {},
): string {
  const { bytes, entropies, threshold, monotonicity } = input;
  const height = Math.max(2, opts.height ?? 8);
  const colour = opts.colour === true;
  const rows = wrapRows(charCells(bytes), Math.max(8, opts.bytesPerRow ?? 72));
  const starts = byteStarts(input.patchLengths, bytes.length);
  const startSet = new Set(starts);
  let maxH = 0;
  for (let j = 0; j < bytes.length; j++) maxH = Math.max(maxH, entropies[j] as number);
  const yMax = Math.max(1, Math.ceil(Math.max(maxH, monotonicity ? 0 : threshold)));
  const eighths = (h: number): number => Math.round((Math.max(0, Math.min(h, yMax)) / yMax) * height * 8);
  // line index from the bottom
  const thLevel = monotonicity ? -1 : Math.min(height - 1, Math.floor((threshold / yMax) * height));
  const red = (s: string, on: boolean): string => (colour && on ? `\x1b[31m${s}\x1b[0m` : s);
  const bgs = ['\x1b[44m', '\x1b[42m'];
  const out: string[] = [];
  out.push(
    monotonicity
      ? `H per byte (0..${yMax} nats); relative rule θr = ${threshold}; ^ = patch start; left: byte offset`
      : `H per byte (0..${yMax} nats); ╌ = θ ${threshold}; ^ = patch start; left: byte offset`,
  );
  for (const row of rows) {
    out.push('');
    for (let line = height - 1; line >= 0; line--) {
      let s = '';
      for (let j = row.start; j < row.end; j++) {
        const h = entropies[j] as number;
        const e = eighths(h) - line * 8;
        const ch = e <= 0 ? (line === thLevel ? '╌' : ' ') : (BLOCKS[Math.min(8, e)] as string);
        s += e > 0 ? red(ch, !monotonicity && h > threshold) : ch;
      }
      // the row's byte offset goes under the bars
      const axis = line === height - 1 ? `${yMax}`.padStart(3) : line === thLevel ? '  θ' : '   ';
      out.push(`${axis} │${s}`);
    }
    let chars = '';
    let marks = '';
    let patch = starts.filter((s) => s < row.start).length;
    for (const c of row.chars) {
      const w = c.symbolic
        ? Math.min(c.label.length, c.length)
        : [...c.label].reduce((a, ch) => a + displayWidth(ch), 0);
      const shown = c.symbolic && c.label.length > c.length ? '·' : c.label;
      const cell = shown + ' '.repeat(Math.max(0, c.length - (c.symbolic && c.label.length > c.length ? 1 : w)));
      for (let k = 0; k < c.length; k++) {
        if (startSet.has(c.start + k)) patch++;
        marks += startSet.has(c.start + k) ? '^' : ' ';
      }
      chars += colour ? `${bgs[patch % 2] as string}${cell}\x1b[0m` : cell;
    }
    out.push(`${String(row.start).padStart(3)} │${chars}`);
    out.push(`    │${marks}`);
  }
  return out.join('\n');
}
