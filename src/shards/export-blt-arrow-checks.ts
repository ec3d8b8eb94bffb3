/** The checks of `blt export --format blt-arrow` (export-blt-arrow.ts) on its names and output directory. */
import { readdir, realpath, stat } from 'node:fs/promises';
import { BltError } from '../core/errors.js';

export const NAME_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

export function checkName(what: string, flag: string, v: string): string {
  if (!NAME_RE.test(v) || /\.chunk\.[0-9]+\.jsonl/.test(v)) {
    throw new BltError(
      'BAD_OPTION',
      `Expected ${flag} to be a plain name (letters, digits, _ . -; not starting with . or -), ` +
        `got ${JSON.stringify(v)}.`,
      `it becomes a directory and file name prefix of the ${what}`,
    );
  }
  return v;
}

export async function checkOut(source: string, out: string, force: boolean): Promise<void> {
  const info = await stat(out).catch(() => null);
  if (!info) return;
  if (!info.isDirectory())
    throw new BltError(
      'BAD_OPTION',
      `Expected --out to be a new directory, got ${out}, which is a file.`,
      'choose another --out',
    );
  const [a, b] = await Promise.all([realpath(source), realpath(out)]);
  if (a === b || b.startsWith(`${a}/`) || a.startsWith(`${b}/`))
    throw new BltError(
      'BAD_OPTION',
      `--out ${out} is or contains the shard set ${source} (or lies inside it).`,
      'export to a directory outside the shard set',
    );
  if ((await readdir(out)).length > 0 && !force) {
    throw new BltError(
      'BAD_OPTION',
      `${out} already exists and is not empty.`,
      'choose a new --out, or pass --force to replace it',
    );
  }
}
