/**
 * The shared loop of line-based readers (JSONL, text lines): one record slot per line that
 * is not empty in the reader's sense, one more for a stream that fails part way. Skipped
 * slots are neither decoded nor parsed, so skipping costs about one memchr per line.
 */
import { badRecord, type IngestRecord } from '../raw-doc.js';
import { splitLines, type ByteLine, type LineFailure } from './byte-lines.js';
import { describeStreamError } from './byte-stream.js';
import { take, type OpenBytes, type ReadContext } from './read-context.js';

export interface LineHandler {
  /** true for lines that are no record at all (blank JSONL lines, empty text lines) */
  isEmpty(bytes: Uint8Array): boolean;
  /** a line within maxLineBytes → its record */
  toRecord(bytes: Uint8Array, line: ByteLine, ctx: ReadContext): IngestRecord;
}

export async function* readLines(
  open: OpenBytes,
  ctx: ReadContext,
  handler: LineHandler,
): AsyncGenerator<IngestRecord> {
  const offset = ctx.start.byteOffset ?? 0;
  const from = { offset, line: ctx.start.line ?? 0 };
  for await (const item of splitLines(open(offset), from, ctx.opts.maxLineBytes)) {
    if (item.kind === 'failure') {
      if (!take(ctx, 'done'))
        yield badRecord(
          { file: ctx.name, line: item.line },
          failureReason(ctx, item),
          item.partialLength > 0 ? item.head : undefined,
        );
      return;
    }
    if (item.bytes !== null && handler.isEmpty(item.bytes)) continue;
    if (take(ctx, { line: item.line, byteOffset: item.end })) continue;
    if (item.bytes === null) {
      yield badRecord(
        { file: ctx.name, line: item.line },
        `line of ${item.length} bytes exceeds --max-line-bytes ${ctx.opts.maxLineBytes}; it was not read (a ` +
          `document needs to fit in memory as one string)`,
        item.head,
      );
    } else {
      yield handler.toRecord(item.bytes, item, ctx);
    }
  }
}

function failureReason(ctx: ReadContext, f: LineFailure): string {
  const code = (f.error as NodeJS.ErrnoException).code;
  const io = code !== undefined && /^E[A-Z]+$/.test(code);
  const cause = describeStreamError(f.error);
  if (io && f.offset === 0 && f.partialLength === 0) return `could not read the file: ${cause}`;
  const what =
    io || ctx.file.compression === 'none' ? 'reading stopped' : `${ctx.file.compression} stream truncated or corrupt`;
  const kept = f.line > 1 ? `; lines up to ${f.line - 1} were read` : '';
  const dropped =
    f.partialLength > 0 ? `; the ${f.partialLength} bytes of line ${f.line} received before it were dropped` : '';
  const byte = `${ctx.file.compression === 'none' ? 'byte' : 'decompressed byte'} ${f.offset + f.partialLength}`;
  return `${what} in line ${f.line} (${byte}): ${cause}${kept}${dropped}`;
}
