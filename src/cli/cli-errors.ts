/**
 * How the `blt` command turns failures that are not BltErrors into coded ones: commander's usage
 * errors (unknown option or command, missing argument or value, bad choice) become BAD_OPTION, and
 * a file-system failure (EACCES, ENOTDIR, ...) names its path and what to do, without a stack trace.
 */
import type { CommanderError } from 'commander';
import { BltError } from '../core/errors.js';

const USAGE_CODES = new Set([
  'commander.unknownOption',
  'commander.unknownCommand',
  'commander.missingArgument',
  'commander.optionMissingArgument',
  'commander.missingMandatoryOptionValue',
  'commander.invalidArgument',
  'commander.excessArguments',
  'commander.conflictingOption',
]);

export function isUsageError(err: CommanderError): boolean {
  return USAGE_CODES.has(err.code);
}

/** The subcommand words at the start of argv (`entropy train`), for the --help hint. */
function commandWords(argv: readonly string[]): string {
  const words: string[] = [];
  for (const a of argv) {
    if (a.startsWith('-') || words.length === 2) break;
    words.push(a);
  }
  return words.join(' ');
}

/** A usage CommanderError as BAD_OPTION; null for the others (help, version, exit requests). */
export function usageError(err: CommanderError, argv: readonly string[]): BltError | null {
  if (!isUsageError(err)) return null;
  const message = err.message.replace(/^error: /, '');
  const words = err.code === 'commander.unknownCommand' ? '' : commandWords(argv);
  return new BltError(
    'BAD_OPTION',
    message.endsWith('.') ? message : `${message}.`,
    `run \`blt ${words ? `${words} ` : ''}--help\` for the usage`,
  );
}

const FS_HINTS: Record<string, string> = {
  EACCES: 'check the permissions, or choose another path',
  EPERM: 'check the permissions, or choose another path',
  EROFS: 'the file system is read-only; choose another path',
  ENOTDIR: 'a component of the path is a file, not a directory; choose another path',
  EEXIST: 'a file of that name is in the way; remove it or choose another path',
  EISDIR: 'the path is a directory where a file was expected',
  ENOSPC: 'the disk is full; free space or choose another output directory',
  EMFILE: 'too many open files; raise the limit (ulimit -n) or use fewer --workers',
  ENOENT: 'check the path',
};

/** A Node file-system error (code + syscall) as a coded BltError; null for anything else. */
export function fileSystemError(err: unknown): BltError | null {
  const e = err as NodeJS.ErrnoException & { dest?: string };
  if (!(err instanceof Error) || typeof e.code !== 'string' || typeof e.syscall !== 'string') return null;
  const hint = FS_HINTS[e.code];
  if (hint === undefined) return null;
  const what =
    e.path === undefined ? e.syscall : `${e.syscall} ${e.path}${e.dest === undefined ? '' : ` -> ${e.dest}`}`;
  const reason = e.message.replace(/^[A-Z]+: /, '').split(',')[0] ?? e.code;
  return new BltError(e.code === 'ENOENT' ? 'NOT_FOUND' : 'BAD_OPTION', `Cannot ${what}: ${reason} (${e.code}).`, hint);
}

/** `--json` among the options (before a `--`). */
export function jsonRequested(argv: readonly string[]): boolean {
  for (const a of argv) {
    if (a === '--') return false;
    if (a === '--json') return true;
  }
  return false;
}
