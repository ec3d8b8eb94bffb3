/**
 * The preprocessing worker protocol: plain data in, flat typed arrays out (transferred, not
 * cloned). One task = a deterministic group of documents.
 */
import type { ProcessSettings } from '../src/preprocess/settings.js';
import type { ProcessedDoc } from '../src/preprocess/process-docs.js';

export interface PreprocessTaskMessage {
  taskIndex: number;
  settings: ProcessSettings;
  /** all documents' bytes, concatenated */
  bytes: Uint8Array;
  /** [docs + 1] byte offsets into `bytes` */
  offsets: Int32Array;
}

export interface PreprocessResultMessage {
  taskIndex: number;
  /** [docs] tokens per document (bytes + 2) */
  nTokens: Int32Array;
  /** [Σ nTokens] or null when the settings store no entropies */
  entropies: Float32Array | null;
  /** [docs + 1] offsets into patchLengths */
  patchOffsets: Int32Array;
  patchLengths: Int32Array;
  /** one [Σ nTokens] array per hash table */
  ngramIds: Int32Array[];
  /** which engine scored the entropies in this worker (for the run summary) */
  engine: string | null;
}

/** documents → one message (copies the bytes once into a transferable buffer) */
export function packTask(taskIndex: number, settings: ProcessSettings, docs: readonly Uint8Array[]): PreprocessTaskMessage {
  const offsets = new Int32Array(docs.length + 1);
  for (let i = 0; i < docs.length; i++) offsets[i + 1] = (offsets[i] as number) + (docs[i] as Uint8Array).length;
  const bytes = new Uint8Array(offsets[docs.length] as number);
  docs.forEach((d, i) => bytes.set(d, offsets[i] as number));
  return { taskIndex, settings, bytes, offsets };
}

export function unpackDocs(m: PreprocessTaskMessage): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i + 1 < m.offsets.length; i++) out.push(m.bytes.subarray(m.offsets[i] as number, m.offsets[i + 1] as number));
  return out;
}

export function packResult(taskIndex: number, docs: readonly ProcessedDoc[], tables: number, engine: string | null): PreprocessResultMessage {
  const nTokens = Int32Array.from(docs, (d) => d.nTokens);
  const total = docs.reduce((a, d) => a + d.nTokens, 0);
  const withEntropies = docs.length > 0 && docs.every((d) => d.entropies !== null);
  const entropies = withEntropies ? new Float32Array(total) : null;
  const patchOffsets = new Int32Array(docs.length + 1);
  docs.forEach((d, i) => (patchOffsets[i + 1] = (patchOffsets[i] as number) + d.patchLengths.length));
  const patchLengths = new Int32Array(patchOffsets[docs.length] as number);
  const ngramIds = Array.from({ length: tables }, () => new Int32Array(total));
  let at = 0;
  docs.forEach((d, i) => {
    if (entropies && d.entropies) entropies.set(d.entropies, at);
    patchLengths.set(d.patchLengths, patchOffsets[i] as number);
    d.ngramIds.forEach((ids, t) => (ngramIds[t] as Int32Array).set(ids, at));
    at += d.nTokens;
  });
  return { taskIndex, nTokens, entropies, patchOffsets, patchLengths, ngramIds, engine };
}

export function unpackResult(m: PreprocessResultMessage): ProcessedDoc[] {
  const out: ProcessedDoc[] = [];
  let at = 0;
  for (let i = 0; i < m.nTokens.length; i++) {
    const n = m.nTokens[i] as number;
    out.push({
      nTokens: n,
      entropies: m.entropies ? m.entropies.subarray(at, at + n) : null,
      patchLengths: m.patchLengths.subarray(m.patchOffsets[i] as number, m.patchOffsets[i + 1] as number),
      ngramIds: m.ngramIds.map((t) => t.subarray(at, at + n)),
    });
    at += n;
  }
  return out;
}

/** the buffers a result message owns, for the transfer list */
export function resultTransferList(m: PreprocessResultMessage): ArrayBuffer[] {
  const views = [m.nTokens, m.entropies, m.patchOffsets, m.patchLengths, ...m.ngramIds];
  return views.filter((v): v is NonNullable<typeof v> => v !== null).map((v) => v.buffer as ArrayBuffer);
}
