/**
 * The preprocessing worker protocol: plain data in (one transferred buffer of document bytes),
 * a small summary out. The worker computes the task's columns, encodes them and writes the
 * task's staged file itself (src/shards/staging.ts), so encoding scales with the workers and no
 * column data crosses back to the main thread. One task = a deterministic group of documents.
 */
import type { ProcessSettings } from '../src/preprocess/settings.js';
import type { TaskEncoding } from '../src/shards/encode-task.js';
import type { StagedTask } from '../src/shards/staging.js';

export interface PreprocessTaskMessage {
  taskIndex: number;
  settings: ProcessSettings;
  /** all documents' bytes, concatenated */
  bytes: Uint8Array;
  /** [docs + 1] byte offsets into `bytes` */
  offsets: Int32Array;
  /** [docs] the documents' ids, sources and language tags (null: unknown) */
  ids: string[];
  sources: string[];
  langs: Array<string | null>;
  /** where and how to stage the task: the shard set's directory and its writer's encoding */
  stage: { dir: string; encoding: TaskEncoding };
}

export interface PreprocessResultMessage {
  taskIndex: number;
  /** what the shard writer records of the staged task */
  staged: StagedTask;
  /** which engine scored the entropies in this worker (for the run summary) */
  engine: string | null;
}

export interface TaskDoc {
  id: string;
  source: string;
  lang?: string | undefined;
  bytes: Uint8Array;
}

/** documents → one message (copies the bytes once into a transferable buffer) */
export function packTask(
  taskIndex: number,
  settings: ProcessSettings,
  docs: readonly TaskDoc[],
  stage: PreprocessTaskMessage['stage'],
): PreprocessTaskMessage {
  const offsets = new Int32Array(docs.length + 1);
  for (let i = 0; i < docs.length; i++) offsets[i + 1] = (offsets[i] as number) + (docs[i] as TaskDoc).bytes.length;
  const bytes = new Uint8Array(offsets[docs.length] as number);
  docs.forEach((d, i) => bytes.set(d.bytes, offsets[i] as number));
  return {
    taskIndex,
    settings,
    bytes,
    offsets,
    ids: docs.map((d) => d.id),
    sources: docs.map((d) => d.source),
    langs: docs.map((d) => d.lang ?? null),
    stage,
  };
}

export function unpackDocs(m: PreprocessTaskMessage): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i + 1 < m.offsets.length; i++)
    out.push(m.bytes.subarray(m.offsets[i] as number, m.offsets[i + 1] as number));
  return out;
}
