/**
 * What a preprocessing worker does with one task. The entropy scorer is opened once per worker
 * (per model) and reused for every task; onnxruntime runs with one intra-op thread per worker,
 * since parallelism comes from the pool.
 */
import { openEntropyScorer, type EntropyScorer } from '../entropy/open-scorer.js';
import { BltError } from '../core/errors.js';
import { processDocs } from './process-docs.js';
import { ngramColumnNames, type EntropySettings } from './settings.js';
import { packResult, unpackDocs, type PreprocessResultMessage, type PreprocessTaskMessage } from '../../workers/protocol.js';

const scorers = new Map<string, Promise<EntropyScorer>>();

async function scorerFor(e: EntropySettings): Promise<EntropyScorer> {
  const key = `${e.model}|${e.engine}`;
  let p = scorers.get(key);
  if (!p) {
    p = openEntropyScorer(e.model, { engine: e.engine, threads: 1 });
    scorers.set(key, p);
  }
  const scorer = await p;
  if (scorer.fingerprint !== e.fingerprint) {
    throw new BltError('MODEL_FORMAT', `The entropy model at ${e.model} changed during the run (fingerprint ${scorer.fingerprint}, expected ${e.fingerprint}).`);
  }
  return scorer;
}

export async function runPreprocessTask(m: PreprocessTaskMessage): Promise<PreprocessResultMessage> {
  const scorer = m.settings.entropy ? await scorerFor(m.settings.entropy) : null;
  const docs = await processDocs(unpackDocs(m), m.settings, scorer);
  const tables = m.settings.ngrams ? ngramColumnNames(m.settings.ngrams).length : 0;
  return packResult(m.taskIndex, docs, tables, scorer?.engine ?? null);
}

export async function closeWorkerScorers(): Promise<void> {
  for (const p of scorers.values()) await (await p).close();
  scorers.clear();
}
