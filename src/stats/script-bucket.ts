/**
 * Language buckets for documents without a `lang` tag: the Unicode script that most of the
 * document's letters belong to (`script:Latin`, `script:Cyrillic`, …). Not a language
 * identifier: English and German are both `script:Latin`. It is cheap (a table of code-point
 * ranges, no model) and never wrong about what it claims.
 *
 * Rules (docs/stats.md):
 * - only the first `DETECT_BYTES` bytes of a document are looked at;
 * - only well-formed UTF-8 sequences count; a code point counts when it lies in one of the
 *   script ranges below (letters and marks of that script's blocks; ASCII digits, punctuation,
 *   symbols, spaces and the general punctuation/CJK punctuation blocks count for nothing);
 * - the bucket is the script with the most code points; ties go to the script listed first;
 * - Han and Kana: a document whose Han + Kana letters are at least 10 % Kana is `script:Kana`
 *   (Japanese writes Kanji and Kana together), otherwise Han stays `script:Han`;
 * - no counted code point at all → `script:none`.
 */
import { codePointAt, walkUtf8 } from '../bytes/utf8.js';

/** Bytes of a document examined by `detectScript`. */
export const DETECT_BYTES = 16 * 1024;

/** [first, last, script] code point ranges, ascending and disjoint. */
const RANGES: ReadonlyArray<readonly [number, number, string]> = [
  [0x0041, 0x005a, 'Latin'],
  [0x0061, 0x007a, 'Latin'],
  [0x00c0, 0x024f, 'Latin'],
  [0x0250, 0x02af, 'Latin'],
  [0x0370, 0x03ff, 'Greek'],
  [0x0400, 0x052f, 'Cyrillic'],
  [0x0530, 0x058f, 'Armenian'],
  [0x0590, 0x05ff, 'Hebrew'],
  [0x0600, 0x06ff, 'Arabic'],
  [0x0700, 0x074f, 'Syriac'],
  [0x0750, 0x077f, 'Arabic'],
  [0x0780, 0x07bf, 'Thaana'],
  [0x08a0, 0x08ff, 'Arabic'],
  [0x0900, 0x097f, 'Devanagari'],
  [0x0980, 0x09ff, 'Bengali'],
  [0x0a00, 0x0a7f, 'Gurmukhi'],
  [0x0a80, 0x0aff, 'Gujarati'],
  [0x0b00, 0x0b7f, 'Oriya'],
  [0x0b80, 0x0bff, 'Tamil'],
  [0x0c00, 0x0c7f, 'Telugu'],
  [0x0c80, 0x0cff, 'Kannada'],
  [0x0d00, 0x0d7f, 'Malayalam'],
  [0x0d80, 0x0dff, 'Sinhala'],
  [0x0e00, 0x0e7f, 'Thai'],
  [0x0e80, 0x0eff, 'Lao'],
  [0x0f00, 0x0fff, 'Tibetan'],
  [0x1000, 0x109f, 'Myanmar'],
  [0x10a0, 0x10ff, 'Georgian'],
  [0x1100, 0x11ff, 'Hangul'],
  [0x1200, 0x139f, 'Ethiopic'],
  [0x13a0, 0x13ff, 'Cherokee'],
  [0x1400, 0x167f, 'Canadian'],
  [0x1780, 0x17ff, 'Khmer'],
  [0x1800, 0x18af, 'Mongolian'],
  [0x1c80, 0x1c8f, 'Cyrillic'],
  [0x1e00, 0x1eff, 'Latin'],
  [0x1f00, 0x1fff, 'Greek'],
  [0x2c60, 0x2c7f, 'Latin'],
  [0x2d00, 0x2d2f, 'Georgian'],
  [0x2de0, 0x2dff, 'Cyrillic'],
  [0x3040, 0x30ff, 'Kana'],
  [0x3130, 0x318f, 'Hangul'],
  [0x31f0, 0x31ff, 'Kana'],
  [0x3400, 0x4dbf, 'Han'],
  [0x4e00, 0x9fff, 'Han'],
  [0xa000, 0xa4cf, 'Yi'],
  [0xa500, 0xa63f, 'Vai'],
  [0xa640, 0xa69f, 'Cyrillic'],
  [0xa720, 0xa7ff, 'Latin'],
  [0xac00, 0xd7af, 'Hangul'],
  [0xf900, 0xfaff, 'Han'],
  [0xfb1d, 0xfb4f, 'Hebrew'],
  [0xfb50, 0xfdff, 'Arabic'],
  [0xfe70, 0xfeff, 'Arabic'],
  [0xff21, 0xff3a, 'Latin'],
  [0xff41, 0xff5a, 'Latin'],
  [0xff66, 0xff9f, 'Kana'],
  [0x20000, 0x2fa1f, 'Han'],
];

const SCRIPTS: readonly string[] = [...new Set(RANGES.map((r) => r[2]))];
const SCRIPT_INDEX = new Map(SCRIPTS.map((s, i) => [s, i]));
const RANGE_SCRIPT = RANGES.map((r) => SCRIPT_INDEX.get(r[2]) as number);
const LATIN = SCRIPT_INDEX.get('Latin') as number;
const HAN = SCRIPT_INDEX.get('Han') as number;
const KANA = SCRIPT_INDEX.get('Kana') as number;

/** code point → index into SCRIPTS, or -1 when it belongs to no counted range. */
function scriptIndexOf(cp: number): number {
  let lo = 0;
  let hi = RANGES.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = RANGES[mid] as readonly [number, number, string];
    if (cp < r[0]) hi = mid - 1;
    else if (cp > r[1]) lo = mid + 1;
    else return RANGE_SCRIPT[mid] as number;
  }
  return -1;
}

/** bytes [n] → `script:<Name>` of the majority of its letters (first DETECT_BYTES bytes). */
export function detectScript(bytes: Uint8Array, maxBytes = DETECT_BYTES): string {
  const counts = new Int32Array(SCRIPTS.length);
  const end = Math.min(bytes.length, maxBytes);
  walkUtf8(
    bytes,
    (i, len) => {
      const b = bytes[i] as number;
      if (b < 0x80) {
        if ((b | 0x20) >= 0x61 && (b | 0x20) <= 0x7a) counts[LATIN] = (counts[LATIN] as number) + 1;
      } else if (len > 0) {
        const s = scriptIndexOf(codePointAt(bytes, i, len));
        if (s >= 0) counts[s] = (counts[s] as number) + 1;
      }
    },
    end,
  );
  const kana = counts[KANA] as number;
  const han = counts[HAN] as number;
  if (kana > 0 && kana * 10 >= kana + han) {
    counts[KANA] = kana + han;
    counts[HAN] = 0;
  } else {
    counts[HAN] = kana + han;
    counts[KANA] = 0;
  }
  let best = -1;
  let bestCount = 0;
  for (let s = 0; s < counts.length; s++) {
    if ((counts[s] as number) > bestCount) {
      best = s;
      bestCount = counts[s] as number;
    }
  }
  return best < 0 ? 'script:none' : `script:${SCRIPTS[best] as string}`;
}
