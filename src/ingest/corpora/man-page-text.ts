/**
 * Man page (roff source) → plain text, rendered by GNU groff (the maintained renderer Debian's
 * `man` uses), not by a hand-written roff stripper:
 *
 *   groff -K utf8 -t -man -Tutf8 -rLL=2000n -rHY=0 -rcR=1 -P-cbou
 *
 * UTF-8 input (preconv), tables (tbl), one very long output line per paragraph (no wrapping,
 * no hyphenation, continuous rendering without page breaks) and no overstrike, colour, bold or
 * underline. Then `cleanRenderedManPage` drops the header and footer lines, the indentation and
 * runs of spaces, and blank lines: one paragraph, heading or option per line.
 */
import { spawn } from 'node:child_process';
import { BltError } from '../../core/errors.js';

export const GROFF_ARGS: readonly string[] = [
  '-K',
  'utf8',
  '-t',
  '-man',
  '-Tutf8',
  '-rLL=2000n',
  '-rHY=0',
  '-rcR=1',
  '-P-cbou',
];

/** True when the page is only an include of another page (`.so man1/foo.1`): it has no text of its own. */
export function isManStub(source: string): boolean {
  for (const line of source.split('\n')) {
    const t = line.trim();
    if (t === '' || t.startsWith('.\\"') || t.startsWith('\'\\"') || t === '.') continue;
    return t.startsWith('.so ');
  }
  return true;
}

/** groff's rendering → one paragraph per line (header/footer dropped, spaces collapsed, no blank lines). */
export function cleanRenderedManPage(rendered: string): string {
  const lines = rendered
    .replace(/\r/g, '')
    .split('\n')
    .map((l) =>
      l
        .replace(/[ \t\u00a0]*\u00ad?$/u, '')
        .replace(/[ \t]+/g, ' ')
        .trim(),
    )
    .filter((l) => l.length > 0);
  // groff -rcR=1 writes the running header (`LS(1) User Commands LS(1)`) first and the footer last.
  if (lines.length > 0) lines.shift();
  if (lines.length > 0) lines.pop();
  return lines.join('\n');
}

/** Renders one page with groff (see GROFF_ARGS); rejects with BAD_INPUT when groff is missing or fails. */
export function renderManPage(source: string | Uint8Array): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('groff', [...GROFF_ARGS], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C.UTF-8' },
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    const out: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.on('error', (err) =>
      reject(
        new BltError(
          'NOT_FOUND',
          `Expected GNU groff on PATH to render man pages, but it could not be started: ${err.message}`,
          "install it: apt-get install groff-base (Debian) or your system's groff package",
        ),
      ),
    );
    child.on('close', (code) => {
      if (code !== 0)
        reject(new BltError('BAD_INPUT', `groff exited with status ${String(code)} while rendering a man page.`));
      else resolve(cleanRenderedManPage(Buffer.concat(out).toString('utf8')));
    });
    child.stdin.on('error', () => undefined); // groff may exit before reading everything; `close` reports it
    child.stdin.end(source);
  });
}
