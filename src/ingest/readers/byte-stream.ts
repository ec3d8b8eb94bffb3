/**
 * A file (or stdin) as a stream of decompressed byte chunks, never the whole file at once.
 * gzip: zlib's streaming Gunzip (concatenated members are read too); zstd: fzstd's streaming
 * Decompress (concatenated frames too). A truncated or corrupt stream makes the iteration
 * throw after every chunk decoded before the damage has been yielded.
 */
import { createReadStream } from 'node:fs';
import { pipeline, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Decompress } from 'fzstd';
import type { Compression } from '../list-inputs.js';

const CHUNK_BYTES = 1 << 20;
const ZSTD_FEED_BYTES = 16 * 1024;

/** The decompressed bytes of `path` from decompressed offset `start` on. */
export function openFileBytes(path: string, compression: Compression, start = 0): AsyncIterable<Uint8Array> {
  if (compression === 'none')
    return createReadStream(path, { start, highWaterMark: CHUNK_BYTES }) as AsyncIterable<Buffer>;
  const raw = createReadStream(path, { highWaterMark: CHUNK_BYTES }) as AsyncIterable<Buffer>;
  return dropBytes(decompress(raw, compression), start);
}

export function decompress(raw: AsyncIterable<Uint8Array>, compression: Compression): AsyncIterable<Uint8Array> {
  if (compression === 'none') return raw;
  if (compression === 'zstd') return zstdChunks(raw);
  // pipeline (not pipe): an error in any stage destroys the others, so the iteration throws instead of hanging
  return pipeline(
    Readable.from(raw, { objectMode: false }),
    createGunzip({ chunkSize: 256 * 1024 }),
    () => undefined,
  ) as AsyncIterable<Buffer>;
}

async function* zstdChunks(raw: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const ready: Uint8Array[] = [];
  const d = new Decompress((chunk) => {
    if (chunk.length > 0) ready.push(chunk);
  });
  let failure: unknown;
  try {
    for await (const chunk of raw) {
      // fzstd decodes every block the input completes in one push: feed small slices so that
      // highly compressible data does not turn one 1 MiB chunk into 100+ MB of output at once
      for (let off = 0; off < chunk.length; off += ZSTD_FEED_BYTES) {
        d.push(chunk.subarray(off, off + ZSTD_FEED_BYTES));
        yield* ready.splice(0);
      }
    }
    d.push(new Uint8Array(0), true); // throws "unexpected EOF" when the last frame is incomplete
  } catch (err) {
    failure = err;
  }
  yield* ready.splice(0); // what was decoded before the damage comes first
  if (failure !== undefined) throw failure;
}

/** `chunks` without its first `n` bytes. */
export async function* dropBytes(chunks: AsyncIterable<Uint8Array>, n: number): AsyncGenerator<Uint8Array> {
  let left = n;
  for await (const chunk of chunks) {
    if (left >= chunk.length) {
      left -= chunk.length;
      continue;
    }
    yield left > 0 ? chunk.subarray(left) : chunk;
    left = 0;
  }
}

/** "unexpected end of file" / "invalid zstd data" … as one short phrase for a BadRecord. */
export function describeStreamError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const msg = e instanceof Error ? e.message : String(err);
  return e.code !== undefined && typeof e.code === 'string' ? `${msg} (${e.code})` : msg;
}
