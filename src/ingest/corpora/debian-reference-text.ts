/**
 * Debian Reference (DocBook XHTML, one file per chapter: `chNN.<lang>.html`) → documents, one
 * per top-level section (`<h2>`). A section is keyed by its anchor id (`_the_system_initialization`),
 * which DocBook derives from the English title, so a section has the same key in every
 * translation and the held-out split keeps all translations of a section on one side.
 * Navigation, the chapter's table of contents and its intro before the first `<h2>` are dropped.
 */
import { decodeCharRefs } from './html-text.js';

export interface ReferenceSection {
  /** the section's anchor id, the same in every translation */
  readonly anchor: string;
  readonly text: string;
}

const BLOCK = /<\/?(?:h[1-6]|p|li|dt|dd|tr|div|table|ul|ol|dl|blockquote|caption|title)\b[^>]*>|<br\s*\/?>/gi;
const CELL = /<\/t[dh]\s*>/gi;
const TAG = /<[^>]*>/g;

/** One chapter file → its top-level sections as text. */
export function referenceSections(html: string): ReferenceSection[] {
  const body = html.split(/<div class="navfooter">/)[0] ?? '';
  const parts = body.split(/(?=<h2\b)/);
  const out: ReferenceSection[] = [];
  for (const part of parts.slice(1)) {
    const anchor = /<h2\b[^>]*>\s*<a id="([^"]+)"/.exec(part)?.[1];
    if (anchor === undefined) continue;
    const text = htmlBlocksToText(part);
    if (text.length > 0) out.push({ anchor, text });
  }
  return out;
}

/**
 * XHTML fragment → text: one line per block (headings, paragraphs, list items, table rows),
 * table cells separated by a space, `<pre>` kept line by line, other whitespace collapsed,
 * character references decoded after the tags are gone.
 */
export function htmlBlocksToText(html: string): string {
  const pre: string[] = [];
  const marked = html
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<pre\b[^>]*>([\s\S]*?)<\/pre\s*>/gi, (_w, inner: string) => {
      pre.push(inner.replace(TAG, ''));
      return `\n\u0000${pre.length - 1}\u0000\n`;
    })
    .replace(/[ \t\n\r\f]+/g, ' ')
    .replace(CELL, ' ')
    .replace(BLOCK, '\n')
    .replace(TAG, '');
  const lines: string[] = [];
  for (const raw of marked.split('\n')) {
    const m = /^\s*\u0000(\d+)\u0000\s*$/.exec(raw);
    if (m) {
      for (const l of decodeCharRefs(pre[Number(m[1])] ?? '').split('\n'))
        if (l.trim().length > 0) lines.push(l.replace(/\s+$/, ''));
      continue;
    }
    const line = decodeCharRefs(raw).replace(/ +/g, ' ').trim();
    if (line.length > 0) lines.push(line);
  }
  return lines.join('\n');
}
