/**
 * Fingerprints: sha256 (hex) of a canonical, unambiguous encoding of a list of parts, so that
 * equal inputs give equal names and different inputs different ones. The pipeline decides what
 * goes into each (docs/shards.md, "Fingerprints"); chaining is by passing a fingerprint string
 * as a part of the next.
 *
 *   encoding = "blt-fingerprint/1\n" ‖ for each part: tag (1 byte) ‖ length (u64 LE) ‖ payload
 *   tag 's' string  → its UTF-8 bytes
 *   tag 'b' bytes   → the bytes as they are
 *   tag 'j' object  → canonical JSON: keys sorted (UTF-16 order), no whitespace, finite numbers
 *
 * The length prefix makes ["ab"] and ["a","b"] differ; the tag makes "x" and bytes of "x" differ.
 */
import { createHash, type Hash } from 'node:crypto';
import { canonicalJson } from '../core/canonical-json.js';

/** The canonical JSON of the 'j' parts (src/core/canonical-json.ts), re-exported for the shard code. */

export type FingerprintPart = string | Uint8Array | object;

const HEADER = 'blt-fingerprint/1\n';

function encodePart(part: FingerprintPart): [string, Uint8Array] {
  if (typeof part === 'string') return ['s', Buffer.from(part, 'utf8')];
  if (part instanceof Uint8Array) return ['b', part];
  return ['j', Buffer.from(canonicalJson(part), 'utf8')];
}

export interface FingerprintHasher {
  /** Appends one part (as one element of the `fingerprint` list). */
  add(part: FingerprintPart): FingerprintHasher;
  /** The hex sha256; the hasher cannot be used afterwards. */
  digest(): string;
}

/** An incremental `fingerprint`: `add(p)` for each part equals `fingerprint([p, …])`. */
export function fingerprintHasher(): FingerprintHasher {
  const hash: Hash = createHash('sha256').update(HEADER, 'utf8');
  const len = Buffer.alloc(8);
  const hasher: FingerprintHasher = {
    add(part) {
      const [tag, payload] = encodePart(part);
      len.writeBigUInt64LE(BigInt(payload.length));
      hash.update(tag, 'latin1').update(len).update(payload);
      return hasher;
    },
    digest: () => hash.digest('hex'),
  };
  return hasher;
}

/** sha256 hex of the canonical encoding of `parts` (see the file comment). */
export function fingerprint(parts: readonly FingerprintPart[]): string {
  const h = fingerprintHasher();
  for (const p of parts) h.add(p);
  return h.digest();
}
