/**
 * Server-side paths a client may name are confined to configured roots. A path is accepted only
 * if it lies inside a root both as written (after resolving `.` and `..`) and after following
 * every symbolic link (realpath of the path, or of its nearest existing ancestor when it does not
 * exist yet), so `..` and symlinks pointing out of a root are refused alike. Relative paths are
 * taken relative to the first root.
 */
import { realpath, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { BltError, describeValue } from '../core/errors.js';
import { HttpError } from './http-error.js';

export interface Root {
  /** as configured, absolute */
  path: string;
  /** with symlinks resolved */
  real: string;
}

/** true iff `child` is `parent` or below it (both absolute, normalised). */
function isInside(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/** Resolves and checks the configured roots (each must be an existing directory). */
export async function resolveRoots(paths: readonly string[], what = '--roots'): Promise<Root[]> {
  const roots: Root[] = [];
  for (const p of paths) {
    const abs = resolve(p);
    const info = await stat(abs).catch(() => null);
    if (!info?.isDirectory()) throw new BltError('NOT_FOUND', `${what}: ${abs} is not an existing directory.`);
    roots.push({ path: abs, real: await realpath(abs) });
  }
  return roots;
}

/** realpath of `p`, or of its nearest existing ancestor joined with the rest when `p` does not exist. */
async function realpathOrAncestor(p: string): Promise<string> {
  const rest: string[] = [];
  let cur = p;
  for (;;) {
    try {
      return join(await realpath(cur), ...rest.reverse());
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' && (err as NodeJS.ErrnoException).code !== 'ENOTDIR')
        throw err;
      const parent = dirname(cur);
      if (parent === cur) return p;
      rest.push(basename(cur));
      cur = parent;
    }
  }
}

export class PathGuard {
  constructor(
    readonly roots: readonly Root[],
    private readonly label = "the server's --roots",
  ) {}

  /** `name` (for messages) = the field that held the path. Returns the absolute path as written. */
  async check(name: string, p: unknown): Promise<string> {
    if (typeof p !== 'string' || p === '' || p.includes('\0'))
      throw new BltError('BAD_OPTION', `Expected \`${name}\` to be a path, got ${describeValue(p)}.`);
    if (this.roots.length === 0) {
      throw new HttpError(
        403,
        'BAD_OPTION',
        `\`${name}\`: this server accepts no server-side paths: it was started without --roots.`,
        'restart it with --roots <dir,...> naming the directories clients may read and write',
      );
    }
    if (p === '-')
      throw new BltError(
        'BAD_OPTION',
        `\`${name}\`: stdin ("-") is not an input of the server; name files under ${this.describeRoots()}.`,
      );
    const abs = isAbsolute(p) ? resolve(p) : resolve((this.roots[0] as Root).path, p);
    const root = this.roots.find((r) => isInside(abs, r.path) || isInside(abs, r.real));
    if (!root) throw this.outside(name, p, abs);
    const real = await realpathOrAncestor(abs);
    if (!this.roots.some((r) => isInside(real, r.real)))
      throw this.outside(name, p, `${abs} → ${real} (a symbolic link leads out)`);
    return abs;
  }

  /**
   * Checks a listed file (from a directory or glob) by its real path. A refusal names the
   * symbolic link inside the roots that leads out, never the file or the target outside them.
   */
  async checkListed(name: string, file: string): Promise<void> {
    const abs = resolve(file);
    const real = await realpathOrAncestor(abs);
    if (this.roots.some((r) => isInside(real, r.real))) return;
    let link = abs;
    for (let d = dirname(abs); d !== dirname(d); d = dirname(d)) {
      const r = await realpathOrAncestor(d);
      if (this.roots.some((root) => isInside(r, root.real))) break;
      link = d;
    }
    throw new HttpError(
      403,
      'BAD_OPTION',
      `\`${name}\`: the listing reaches through ${link}, a symbolic link that leads outside ${this.label} ` +
        `(${this.describeRoots()}).`,
      'name files inside the roots; links out of them are not followed',
    );
  }

  describeRoots(): string {
    return this.roots.map((r) => r.path).join(', ');
  }

  private outside(name: string, given: string, resolved: string): HttpError {
    return new HttpError(
      403,
      'BAD_OPTION',
      `\`${name}\`: ${JSON.stringify(given)} resolves to ${resolved}, outside ${this.label} (${this.describeRoots()}).`,
      'name a path inside one of the roots (relative paths are taken from the first root)',
    );
  }
}
