/**
 * What a preprocessing worker does with one task. The entropy scorer is opened once per worker
 * (per model) and reused for every task; onnxruntime runs with one intra-op thread per worker,
 * since parallelism comes from the pool. The task's rows are encoded and staged here, so
 * encoding runs in parallel too.
 */
import { isMainThread } from 'node:worker_threads';
import { openEntropyScorer, type EntropyScorer } from '../entropy/open-scorer.js';
import { BltError } from '../core/errors.js';
import { processDocsLazily } from './process-docs.js';
import type { EntropySettings } from './settings.js';
import { stageTask } from '../shards/staging.js';
import type { ShardDoc } from '../shards/row.js';
import { unpackDocs, type PreprocessResultMessage, type PreprocessTaskMessage } from '../../workers/protocol.js';

const scorers = new Map<string, Promise<EntropyScorer>>();
/** In a pool worker, blocking writes cost nothing; on the main thread (--workers 0) they would stall its reading. */
const workerThread = !isMainThread;

async function scorerFor(e: EntropySettings): Promise<EntropyScorer> {
  const key = `${e.model}|${e.engine}`;
  let p = scorers.get(key);
  if (!p) {
    p = openEntropyScorer(e.model, { engine: e.engine, threads: 1 });
    scorers.set(key, p);
  }
  const scorer = await p;
  if (scorer.fingerprint !== e.fingerprint) {
    throw new BltError(
      'MODEL_FORMAT',
      `The entropy model at ${e.model} changed during the run (fingerprint ${scorer.fingerprint}, ` +
        `expected ${e.fingerprint}).`,
    );
  }
  return scorer;
}

export async function runPreprocessTask(m: PreprocessTaskMessage): Promise<PreprocessResultMessage> {
  const scorer = m.settings.entropy ? await scorerFor(m.settings.entropy) : null;
  const bytes = unpackDocs(m);
  const { docs, ngramIdsOf } = await processDocsLazily(bytes, m.settings, scorer);
  const rows: ShardDoc[] = docs.map((p, i) => ({
    docId: m.ids[i] as string,
    source: m.sources[i] as string,
    lang: m.langs[i] ?? undefined,
    bytes: bytes[i] as Uint8Array,
    entropies: p.entropies ?? undefined,
    patchLengths: p.patchLengths,
  }));
  // n-gram ids are hashed by the encoder, one table at a time
  const staged = await stageTask(
    m.stage.dir,
    m.taskIndex,
    rows,
    m.stage.encoding,
    m.settings.ngrams ? ngramIdsOf : undefined,
    workerThread,
  );
  return { taskIndex: m.taskIndex, staged, engine: scorer?.engine ?? null };
}

export async function closeWorkerScorers(): Promise<void> {
  for (const p of scorers.values()) await (await p).close();
  scorers.clear();
}
