/**
 * Byte chunks → lines split on `\n` (0x0A) bytes, never decoding: memory stays at one chunk
 * plus the current line. A line's `bytes` may be a view into the current chunk: use or copy
 * it before asking for the next line (no copy is made for lines that are skipped). A line longer
 * than `maxLineBytes` is not buffered: it comes back with `bytes: null` and its length.
 * When the chunk stream throws (truncated/corrupt compression, read error), the lines before
 * are all yielded, then one `LineFailure` carrying the incomplete line's start.
 */

export interface ByteLine {
  readonly kind: 'line';
  /** 1-based line number */
  readonly line: number;
  /** the line without its `\n` (possibly a view into a chunk); null when longer than maxLineBytes */
  readonly bytes: Uint8Array | null;
  readonly length: number;
  /** the first bytes of the line (for messages), even when `bytes` is null */
  readonly head: Uint8Array;
  /** stream offset just after this line's `\n` (or the end of the data) */
  readonly end: number;
}

export interface LineFailure {
  readonly kind: 'failure';
  /** the line that was being read when the stream failed */
  readonly line: number;
  /** bytes of that incomplete line received before the failure */
  readonly partialLength: number;
  readonly head: Uint8Array;
  /** stream offset where that line starts */
  readonly offset: number;
  readonly error: unknown;
}

const HEAD_BYTES = 800;

export interface SplitFrom {
  /** stream offset of the first chunk's first byte */
  readonly offset: number;
  /** the number of the line before the first one (0 at the start of a file) */
  readonly line: number;
}

export async function* splitLines(
  chunks: AsyncIterable<Uint8Array>,
  from: SplitFrom,
  maxLineBytes: number,
): AsyncGenerator<ByteLine | LineFailure> {
  let pieces: Uint8Array[] = []; // the current line's bytes from earlier chunks (copies)
  let length = 0; // the current line's length so far
  let head: Uint8Array | null = null; // the first bytes of an over-long line
  let lineStart = from.offset;
  let line = from.line;
  const finish = (last: Uint8Array): ByteLine => {
    const total = length + last.length;
    let bytes: Uint8Array | null = null;
    let lineHead = head;
    if (total <= maxLineBytes) bytes = pieces.length === 0 ? last : concat([...pieces, last], total);
    else lineHead ??= concat([...pieces, last], Math.min(total, HEAD_BYTES));
    const out: ByteLine = {
      kind: 'line',
      line: ++line,
      bytes,
      length: total,
      head: lineHead ?? (bytes as Uint8Array).subarray(0, HEAD_BYTES),
      end: lineStart + total,
    };
    pieces = [];
    head = null;
    length = 0;
    return out;
  };
  const keep = (part: Uint8Array): void => {
    if (head === null && length + part.length > maxLineBytes) {
      head = concat([...pieces, part], Math.min(length + part.length, HEAD_BYTES));
      pieces = [];
    }
    if (head === null) pieces.push(new Uint8Array(part));
    length += part.length;
  };
  try {
    for await (const chunk of chunks) {
      const buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength); // Buffer#indexOf is memchr-fast
      let start = 0;
      for (let nl = buf.indexOf(0x0a); nl >= 0; nl = buf.indexOf(0x0a, start)) {
        const done = finish(chunk.subarray(start, nl));
        lineStart = done.end + 1;
        yield { ...done, end: done.end + 1 };
        start = nl + 1;
      }
      if (start < chunk.length) keep(chunk.subarray(start));
    }
  } catch (error) {
    const partial = head ?? concat(pieces, Math.min(length, HEAD_BYTES));
    yield { kind: 'failure', line: line + 1, partialLength: length, head: partial, offset: lineStart, error };
    return;
  }
  if (length > 0) yield finish(new Uint8Array(0));
}

function concat(parts: readonly Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    if (off >= total) break;
    const n = Math.min(p.length, total - off);
    out.set(n === p.length ? p : p.subarray(0, n), off);
    off += n;
  }
  return out;
}
