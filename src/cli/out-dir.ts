/**
 * Checks an output directory option before a command starts work: it must be a directory or
 * not exist yet, and its nearest existing ancestor must be a writable directory. Errors name the
 * flag and the path typed.
 */
import { accessSync, constants, statSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { BltError } from '../core/errors.js';

/** stat, or undefined where nothing is there (ENOENT, or a file where a directory should be: ENOTDIR). */
function statOrNone(path: string): Stats | undefined {
  try {
    return statSync(path, { throwIfNoEntry: false });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw err;
  }
}

export function checkOutDir(flag: string, path: string): void {
  const hint = `pass a new directory or an existing one (e.g. ${flag} runs/out)`;
  const self = statOrNone(path);
  if (self && !self.isDirectory()) {
    throw new BltError(
      'BAD_OPTION',
      `Expected ${flag} to be a directory (new or existing), got ${path}, which is a file.`,
      hint,
    );
  }
  let dir = self ? path : dirname(resolve(path));
  for (;;) {
    const s = statOrNone(dir);
    if (s) {
      if (!s.isDirectory()) {
        throw new BltError(
          'BAD_OPTION',
          `Expected ${flag} to be a directory that can be created, got ${path}: ${dir} is a file.`,
          hint,
        );
      }
      try {
        accessSync(dir, constants.W_OK);
      } catch {
        throw new BltError(
          'BAD_OPTION',
          `Expected ${flag} to be a writable directory, got ${path}: ${dir} is not writable.`,
          'check the permissions, or choose another directory',
        );
      }
      return;
    }
    const up = dirname(dir);
    if (up === dir) return;
    dir = up;
  }
}
