/**
 * The project's one error type. Every failure a user can cause carries a stable `code`
 * and a message that says what was expected, what was received and how to fix it.
 */
export type BltErrorCode =
  | 'BAD_OPTION' // an option/argument has the wrong type or value
  | 'BAD_INPUT' // input data is malformed (file, JSON line, shard row)
  | 'NOT_FOUND' // a file, directory or document does not exist
  | 'BACKEND_UNAVAILABLE' // a requested compute backend cannot be loaded
  | 'MODEL_FORMAT' // an entropy/BLT model directory is wrong or truncated
  | 'SHARD_FORMAT' // a shard set or manifest is wrong, incomplete or of another version
  | 'STATE_FORMAT' // a resumable JSON state is of another kind/version or malformed
  | 'NOT_IMPLEMENTED' // a subcommand or mode that is not built yet
  | 'INTERNAL'; // a broken invariant: a bug, please report

export class BltError extends Error {
  readonly code: BltErrorCode;
  readonly hint: string | undefined;

  constructor(code: BltErrorCode, message: string, hint?: string) {
    super(hint ? `${message}\n  hint: ${hint}` : message);
    this.name = 'BltError';
    this.code = code;
    this.hint = hint;
  }
}

/** Renders a received value for a message: `NaN (number)`, `"abc" (string)`. */
export function describeValue(v: unknown): string {
  if (typeof v === 'string') return `${JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v)} (string)`;
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name} of length ${(v as unknown as ArrayLike<number>).length}`;
  if (typeof v === 'object') return 'an object';
  return `${String(v)} (${typeof v})`;
}

/** `Expected \`name\` to be <what>, got <value>.` as a BAD_OPTION error. */
export function badOption(name: string, expected: string, got: unknown, hint?: string): BltError {
  return new BltError('BAD_OPTION', `Expected \`${name}\` to be ${expected}, got ${describeValue(got)}.`, hint);
}

/** Throws an INTERNAL error when an invariant does not hold (a bug, not a user error). */
export function invariant(cond: unknown, what: string): asserts cond {
  if (!cond) throw new BltError('INTERNAL', `Internal invariant violated: ${what}. This is a bug; please report it.`);
}

/**
 * The cause of a file decoder's failure in words a user can act on: a library's own TypeError or
 * RangeError (it read past the end of the data, or followed a damaged offset) says nothing about
 * the file, so it becomes "truncated or damaged"; other errors keep their message.
 */
export function describeDecodeFailure(err: unknown, what: string): string {
  if (err instanceof TypeError || err instanceof RangeError)
    return `${what} is truncated or damaged (its structure ends early or points outside the file)`;
  const e = err as NodeJS.ErrnoException;
  const msg = err instanceof Error ? err.message : String(err);
  return typeof e.code === 'string' ? `${msg} (${e.code})` : msg;
}
