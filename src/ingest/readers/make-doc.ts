/** A document's bytes → a RawDoc, or the BadRecord for an empty or over-long one. */
import { badRecord, type BadRecord, type RawDoc, type RecordPosition } from '../raw-doc.js';
import { DOC_BYTES_CEILING, type ResolvedReadOptions } from './read-options.js';

export function makeDoc(
  opts: ResolvedReadOptions,
  id: string,
  bytes: Uint8Array,
  at: RecordPosition,
  lang?: string,
): RawDoc | BadRecord {
  const tooLong = docTooLong(opts, bytes.length);
  if (tooLong !== undefined) return badRecord(at, tooLong, bytes);
  if (bytes.length === 0) return badRecord(at, 'empty document (0 bytes of text)');
  const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
  const doc: RawDoc =
    lang === undefined
      ? { id, source: at.file, bytes: own, position: at }
      : { id, source: at.file, bytes: own, lang, position: at };
  return doc;
}

/** The BadRecord reason for a document of `n` bytes, or undefined when it is within the limits. */
export function docTooLong(opts: ResolvedReadOptions, n: number): string | undefined {
  if (opts.maxDocBytes !== undefined && n > opts.maxDocBytes)
    return `document of ${n} bytes exceeds --max-doc-bytes ${opts.maxDocBytes}`;
  if (n > DOC_BYTES_CEILING)
    return (
      `document of ${n} bytes exceeds the largest document this tool handles (${DOC_BYTES_CEILING} bytes); ` +
      `split it, e.g. read it with --lines-as-docs`
    );
  return undefined;
}
