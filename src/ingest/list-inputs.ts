/**
 * `blt preprocess <inputs...>` → the input files, in a deterministic order.
 *
 * Each argument is `-` (stdin), an existing file, an existing directory (every file below it,
 * recursively; names starting with `.` are skipped) or a glob (tinyglobby syntax). Within one
 * argument the files are sorted by path (JS string order, i.e. UTF-16 code units, not locale);
 * arguments keep the order given; a file named twice (same resolved path) is kept at its first
 * place. The kind and compression come from the file name (see `detectInput`).
 */
import { readdir, realpath, stat } from 'node:fs/promises';
import { basename, isAbsolute, join, resolve } from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';
import { BltError, describeValue } from '../core/errors.js';

export type InputKind = 'jsonl' | 'text' | 'parquet' | 'arrow' | 'stdin';
export type Compression = 'none' | 'gzip' | 'zstd';

export interface InputFile {
  /** the path as listed (relative paths stay relative to the working directory); `-` for stdin */
  readonly path: string;
  /** bytes on disk (compressed size); 0 for stdin */
  readonly size: number;
  readonly kind: InputKind;
  readonly compression: Compression;
}

const KIND_BY_EXTENSION: Record<string, InputKind> = {
  jsonl: 'jsonl',
  json: 'jsonl', // read as JSON lines: one object per line
  ndjson: 'jsonl',
  parquet: 'parquet',
  arrow: 'arrow',
  feather: 'arrow',
  ipc: 'arrow',
};

/** Kind and compression from a file name: `a.jsonl.zst` → jsonl/zstd, `notes` → text/none. */
export function detectInput(path: string): { kind: InputKind; compression: Compression } {
  if (path === '-') return { kind: 'stdin', compression: 'none' };
  const parts = basename(path).toLowerCase().split('.');
  let ext = parts.length > 1 ? parts.pop() ?? '' : '';
  let compression: Compression = 'none';
  if (ext === 'gz' || ext === 'zst' || ext === 'zstd') {
    compression = ext === 'gz' ? 'gzip' : 'zstd';
    ext = parts.length > 1 ? parts.pop() ?? '' : '';
  }
  const kind = KIND_BY_EXTENSION[ext] ?? 'text';
  if ((kind === 'parquet' || kind === 'arrow') && compression !== 'none') {
    throw new BltError(
      'BAD_INPUT',
      `${path}: expected a Parquet or Arrow file without an outer ${compression} layer, got a .${ext} file compressed as a whole (they need random access).`,
      `decompress it first (${compression === 'gzip' ? 'gunzip' : 'zstd -d'} ${JSON.stringify(path)}); Parquet and Arrow compress their pages/buffers internally`,
    );
  }
  return { kind, compression };
}

export async function listInputs(args: readonly string[]): Promise<InputFile[]> {
  if (!Array.isArray(args) || args.some((a) => typeof a !== 'string')) {
    throw new BltError('BAD_OPTION', `Expected the inputs to be an array of paths, globs or "-", got ${describeValue(args)}.`);
  }
  if (args.length === 0) throw new BltError('BAD_OPTION', 'Expected at least one input (a file, directory, glob or "-" for stdin), got none.');
  const seen = new Set<string>();
  const out: InputFile[] = [];
  for (const arg of args) {
    for (const path of await expandArgument(arg)) {
      const key = path === '-' ? '-' : resolve(path);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(await describeInput(path));
    }
  }
  return out;
}

async function expandArgument(arg: string): Promise<string[]> {
  if (arg === '-') return ['-'];
  const info = await stat(arg).catch(() => undefined);
  if (info?.isDirectory()) return sortPaths(await listDirectory(arg, new Set()));
  if (info) return [arg];
  if (isDynamicPattern(arg)) {
    const found = await glob([arg], { onlyFiles: true, dot: false, absolute: isAbsolute(arg), followSymbolicLinks: true });
    if (found.length > 0) return sortPaths(found);
    throw new BltError('NOT_FOUND', `Expected the glob ${JSON.stringify(arg)} to match at least one file, got none.`, 'check the pattern and the working directory; quote it so the shell does not expand it first');
  }
  throw new BltError('NOT_FOUND', `Expected an existing input file or directory, got ${JSON.stringify(arg)}, which does not exist.`, 'check the path (relative paths are taken from the working directory)');
}

/** Every non-hidden file below `dir`; symlinked directories are followed once (no cycles). */
async function listDirectory(dir: string, visited: Set<string>): Promise<string[]> {
  const real = await realpath(dir);
  if (visited.has(real)) return [];
  visited.add(real);
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (e.name.startsWith('.')) continue;
    const child = join(dir, e.name);
    const isDir = e.isDirectory() || (e.isSymbolicLink() && (await stat(child).catch(() => undefined))?.isDirectory() === true);
    if (isDir) out.push(...(await listDirectory(child, visited)));
    else if (e.isFile() || e.isSymbolicLink()) out.push(child);
  }
  return out;
}

function sortPaths(paths: string[]): string[] {
  return paths.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

async function describeInput(path: string): Promise<InputFile> {
  const { kind, compression } = detectInput(path);
  if (kind === 'stdin') return { path, size: 0, kind, compression };
  const info = await stat(path).catch((err: NodeJS.ErrnoException) => {
    throw new BltError('NOT_FOUND', `Expected ${JSON.stringify(path)} to be a readable file, got ${err.code ?? err.message}.`, 'a dangling symlink or a file removed while listing');
  });
  return { path, size: info.size, kind, compression };
}
