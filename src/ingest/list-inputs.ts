/**
 * `blt preprocess <inputs...>` → the input files, in a deterministic order.
 *
 * Each argument is `-` (stdin), an existing file, an existing directory (every file below it,
 * recursively; names starting with `.` are skipped) or a glob (tinyglobby syntax). Within one
 * argument the files are sorted by path (JS string order, i.e. UTF-16 code units, not locale);
 * arguments keep the order given; a file named twice (same resolved path) is kept at its first
 * place. The kind and compression come from the file name (see `detectInput`).
 *
 * Earlier outputs are not inputs: directory and glob expansions skip **shard sets** (a
 * directory holding a blt manifest `index.json`, a shard writer's state or staging folder, or a
 * preprocessing run's `run.json` + `completions/`), and every form skips files inside the
 * `exclude` directories (the run's own `--out`). What was skipped is reported through `onSkip`
 * (and returned by `listInputsReport`), never dropped silently. `check` runs on every listed
 * path before anything is read from it or said about its kind (the server's root guard).
 */
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
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
  let ext = parts.length > 1 ? (parts.pop() ?? '') : '';
  let compression: Compression = 'none';
  if (ext === 'gz' || ext === 'zst' || ext === 'zstd') {
    compression = ext === 'gz' ? 'gzip' : 'zstd';
    ext = parts.length > 1 ? (parts.pop() ?? '') : '';
  }
  const kind = KIND_BY_EXTENSION[ext] ?? 'text';
  if ((kind === 'parquet' || kind === 'arrow') && compression !== 'none') {
    throw new BltError(
      'BAD_INPUT',
      `${path}: expected a Parquet or Arrow file without an outer ${compression} layer, got a .${ext} file ` +
        `compressed as a whole (they need random access).`,
      `decompress it first (${compression === 'gzip' ? 'gunzip' : 'zstd -d'} ${JSON.stringify(path)}); ` +
        `Parquet and Arrow compress their pages/buffers internally`,
    );
  }
  return { kind, compression };
}

/** A path left out of the listing, and why. */
export interface SkippedInput {
  /** a directory (a whole shard set or output) or one file a glob matched */
  readonly path: string;
  readonly reason: 'shard-set' | 'output';
}

export interface ListOptions {
  /** directories whose files are never inputs (the run's own output directory) */
  exclude?: readonly string[];
  /** told about every skipped shard set / output (once per directory) */
  onSkip?: (s: SkippedInput) => void;
  /** runs on each listed path before it is described (throw to refuse it) */
  check?: (path: string) => Promise<void> | void;
}

export async function listInputs(args: readonly string[], opts: ListOptions = {}): Promise<InputFile[]> {
  return (await listInputsReport(args, opts)).files;
}

/** `listInputs` plus what was skipped. */
export async function listInputsReport(
  args: readonly string[],
  opts: ListOptions = {},
): Promise<{ files: InputFile[]; skipped: SkippedInput[] }> {
  if (!Array.isArray(args) || args.some((a) => typeof a !== 'string')) {
    throw new BltError(
      'BAD_OPTION',
      `Expected the inputs to be an array of paths, globs or "-", got ${describeValue(args)}.`,
    );
  }
  if (args.length === 0)
    throw new BltError(
      'BAD_OPTION',
      'Expected at least one input (a file, directory, glob or "-" for stdin), got none.',
    );
  const skipped: SkippedInput[] = [];
  const ctx = new ListContext(opts, skipped);
  const seen = new Set<string>();
  const out: InputFile[] = [];
  for (const arg of args) {
    for (const path of await expandArgument(arg, ctx)) {
      const key = path === '-' ? '-' : resolve(path);
      if (seen.has(key)) continue;
      seen.add(key);
      if (path !== '-') await opts.check?.(path);
      out.push(await describeInput(path));
    }
  }
  return { files: out, skipped };
}

/** A preprocessing run's own files: a directory holding any of these is a shard set (or one being written). */
const SET_MARKERS = ['.shard-writer-state.json', '.staging'];

/** Decides, once per directory, whether it is a shard set or an excluded output. */
class ListContext {
  private readonly verdicts = new Map<string, Promise<SkippedInput['reason'] | null>>();
  private readonly reported = new Set<string>();
  private readonly exclude: string[];
  constructor(
    private readonly opts: ListOptions,
    private readonly skipped: SkippedInput[],
  ) {
    this.exclude = (opts.exclude ?? []).map((d) => resolve(d));
  }

  /** Whether `dir` (a directory) is an output or a shard set; reports it the first time. */
  async skipDir(dir: string): Promise<boolean> {
    const key = resolve(dir);
    let v = this.verdicts.get(key);
    if (!v) {
      v = this.classify(key);
      this.verdicts.set(key, v);
    }
    const reason = await v;
    if (reason === null) return false;
    if (!this.reported.has(key)) {
      this.reported.add(key);
      const s = { path: dir, reason };
      this.skipped.push(s);
      this.opts.onSkip?.(s);
    }
    return true;
  }

  /** The caller's check of a path (the server's roots), if any. */
  async check(path: string): Promise<void> {
    await this.opts.check?.(path);
  }

  /** Whether the file `path` lies in an excluded directory (any form of argument). */
  inOutput(path: string): string | undefined {
    const abs = resolve(path);
    return this.exclude.find((d) => abs === d || abs.startsWith(d.endsWith(sep) ? d : d + sep));
  }

  /** A file a glob matched: skipped when it is inside an output or a shard set at or below `base`. */
  async skipGlobMatch(path: string, base: string): Promise<boolean> {
    const out = this.inOutput(path);
    if (out !== undefined) return this.skipDir(out);
    const stop = resolve(base);
    for (let d = resolve(dirname(path)); ; d = dirname(d)) {
      if (await this.skipDir(relativeOrAbsolute(d, path))) return true;
      if (d === stop || dirname(d) === d || !d.startsWith(stop)) return false;
    }
  }

  private async classify(abs: string): Promise<SkippedInput['reason'] | null> {
    if (this.inOutput(abs) !== undefined) return 'output';
    const names = new Set(await readdir(abs).catch(() => [] as string[]));
    if (SET_MARKERS.some((m) => names.has(m))) return 'shard-set';
    if (names.has('run.json') && names.has('completions')) return 'shard-set';
    if (names.has('index.json')) {
      const head = await readFile(join(abs, 'index.json'), 'utf8').catch(() => '');
      try {
        if ((JSON.parse(head) as { format?: unknown }).format === 'blt-shards') return 'shard-set';
      } catch {
        // an index.json of some other kind is an ordinary input
      }
    }
    return null;
  }
}

/** `d` in the form the matched path uses (relative stays relative). */
function relativeOrAbsolute(d: string, like: string): string {
  return isAbsolute(like) ? d : relative(process.cwd(), d) || '.';
}

/** The directory part of a glob before its first dynamic segment. */
function globBase(pattern: string): string {
  const parts = pattern.split('/');
  const fixed: string[] = [];
  for (const p of parts) {
    if (isDynamicPattern(p)) break;
    fixed.push(p);
  }
  if (fixed.length === parts.length) fixed.pop();
  const base = fixed.join('/');
  return base === '' ? (pattern.startsWith('/') ? '/' : '.') : base;
}

async function expandArgument(arg: string, ctx: ListContext): Promise<string[]> {
  if (arg === '-') return ['-'];
  const info = await stat(arg).catch(() => undefined);
  if (info?.isDirectory()) return sortPaths(await listDirectory(arg, new Set(), ctx));
  if (info) {
    const out = ctx.inOutput(arg);
    if (out !== undefined && (await ctx.skipDir(out))) return [];
    return [arg];
  }
  if (isDynamicPattern(arg)) {
    const found = await glob([arg], {
      onlyFiles: true,
      dot: false,
      absolute: isAbsolute(arg),
      followSymbolicLinks: true,
    });
    if (found.length > 0) {
      const base = globBase(arg);
      const kept: string[] = [];
      for (const f of found) if (!(await ctx.skipGlobMatch(f, base))) kept.push(f);
      return sortPaths(kept);
    }
    throw new BltError(
      'NOT_FOUND',
      `Expected the glob ${JSON.stringify(arg)} to match at least one file, got none.`,
      'check the pattern and the working directory; quote it so the shell does not expand it first',
    );
  }
  throw new BltError(
    'NOT_FOUND',
    `Expected an existing input file or directory, got ${JSON.stringify(arg)}, which does not exist.`,
    'check the path (relative paths are taken from the working directory)',
  );
}

/**
 * Every non-hidden file below `dir`; symlinked directories are followed once (no cycles);
 * shard sets and excluded outputs are skipped whole.
 */
async function listDirectory(dir: string, visited: Set<string>, ctx: ListContext): Promise<string[]> {
  const real = await realpath(dir);
  if (visited.has(real)) return [];
  visited.add(real);
  if (await ctx.skipDir(dir)) return [];
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (e.name.startsWith('.')) continue;
    const child = join(dir, e.name);
    const isDir =
      e.isDirectory() || (e.isSymbolicLink() && (await stat(child).catch(() => undefined))?.isDirectory() === true);
    if (isDir && e.isSymbolicLink()) await ctx.check(child); // before reading anything behind the link
    if (isDir) out.push(...(await listDirectory(child, visited, ctx)));
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
    throw new BltError(
      'NOT_FOUND',
      `Expected ${JSON.stringify(path)} to be a readable file, got ${err.code ?? err.message}.`,
      'a dangling symlink or a file removed while listing',
    );
  });
  return { path, size: info.size, kind, compression };
}
