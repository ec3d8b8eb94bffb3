/**
 * `-` → documents from standard input. Compression is sniffed from the magic bytes (gzip
 * `1f 8b`, zstd `28 b5 2f fd`); the format is `opts.stdinFormat`, or with `auto` JSONL when
 * the first byte that is not whitespace is `{`, plain text otherwise (one document for all of
 * stdin, or one per line with `linesAsDocs`). Parquet and Arrow cannot come from stdin.
 */
import { invariant } from '../../core/errors.js';
import type { IngestRecord } from '../raw-doc.js';
import { decompress, dropBytes } from './byte-stream.js';
import type { Compression } from '../list-inputs.js';
import { PeekableBytes } from './peekable.js';
import type { OpenBytes, ReadContext } from './read-context.js';
import { readJsonl } from './read-jsonl.js';
import { readTextLines, readWholeText } from './read-text.js';

export async function* readStdin(ctx: ReadContext): AsyncGenerator<IngestRecord> {
  const raw = new PeekableBytes(ctx.opts.stdin ?? (process.stdin as AsyncIterable<Buffer>));
  const compression = sniffCompression(await raw.head(4));
  const body = new PeekableBytes(decompress(raw.stream(), compression));
  const format =
    ctx.opts.stdinFormat !== 'auto' ? ctx.opts.stdinFormat : (await body.firstNonSpace()) === 0x7b ? 'jsonl' : 'text';
  let opened = false;
  const open: OpenBytes = (offset) => {
    invariant(!opened, 'stdin is opened once');
    opened = true;
    return dropBytes(body.stream(), offset);
  };
  const sniffed = { ...ctx.file, compression };
  const inner: ReadContext = Object.assign(ctx, { file: sniffed });
  if (format === 'jsonl') yield* readJsonl(open, inner);
  else if (ctx.opts.linesAsDocs) yield* readTextLines(open, inner);
  else yield* readWholeText(open, inner);
}

function sniffCompression(head: Uint8Array): Compression {
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  return 'none';
}
