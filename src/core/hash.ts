/**
 * Content hashes: sha256, lowercase hex, of bytes, text (UTF-8) or a file (streamed). Fingerprints
 * of structured data are built on these in src/shards/fingerprint.ts (canonical, length-prefixed).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** A file as written or read: its size and sha256. */
export interface WrittenFile {
  /** file size in bytes */
  bytes: number;
  /** sha256 of the file, hex */
  sha256: string;
}

/** sha256 (hex) of bytes, or of a string's UTF-8 bytes. */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** sha256 (hex) and size of a file, streamed in 1 MiB pieces. */
export async function hashFile(path: string): Promise<WrittenFile> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { bytes, sha256: hash.digest('hex') };
}
