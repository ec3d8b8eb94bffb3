/**
 * How a trained run patches, for generation: the patching settings and entropy model recorded in
 * the manifest of the shard set it trained on (after any repatch/split of `blt train`, whose
 * manifests carry the settings they were made with). `--entropy-model` replaces the recorded
 * model; a recorded model that changed since (other fingerprint) is refused, because its
 * boundaries would differ from the ones the run was trained on.
 */
import type { BackendRequest } from '../../backend/select-backend.js';
import { BltError } from '../../core/errors.js';
import { entropyModelFingerprint, openEntropyScorer, type EntropyScorer } from '../../entropy/open-scorer.js';
import type { PatchingSettings, ProcessSettings } from '../../preprocess/settings.js';
import { readManifest } from '../../shards/manifest.js';
import type { BltTrainState } from '../trainer/train-state.js';

export interface RunPatching {
  readonly patching: PatchingSettings;
  /** The entropy model spec (entropy mode), else null. */
  readonly entropyModel: string | null;
}

export async function runPatching(state: BltTrainState, entropyModel?: string): Promise<RunPatching> {
  const dir = state.data.train[0];
  if (dir === undefined) throw new BltError('STATE_FORMAT', 'The checkpoint records no training shard set.');
  const m = await readManifest(dir);
  const process = m.config.process as ProcessSettings | undefined;
  if (!process?.patching) {
    throw new BltError(
      'SHARD_FORMAT',
      `${dir}/index.json records no patching settings (config.process.patching).`,
      'the run was trained on a shard set of another tool; generation needs the settings its patches were made with',
    );
  }
  const patching = process.patching;
  if (patching.mode !== 'entropy') return { patching, entropyModel: null };
  if (entropyModel !== undefined) return { patching, entropyModel };
  const recorded = process.entropy;
  if (!recorded)
    throw new BltError(
      'SHARD_FORMAT',
      `${dir}/index.json: entropy patching without a recorded entropy model.`,
      'pass --entropy-model',
    );
  const now = await entropyModelFingerprint(recorded.model).catch(() => null);
  if (now?.fingerprint !== recorded.fingerprint) {
    throw new BltError(
      'NOT_FOUND',
      `The entropy model the run's data was patched with (${recorded.model}) ` +
        `is ${now ? 'changed (other fingerprint)' : 'not available here'}.`,
      'pass --entropy-model <dir|ngram:file> (the same model gives the boundaries the run was trained on)',
    );
  }
  return { patching, entropyModel: recorded.model };
}

/** The scorer of `p` (null unless entropy mode); close it when done. */
export async function openRunScorer(p: RunPatching, backend: BackendRequest = 'wasm'): Promise<EntropyScorer | null> {
  return p.entropyModel === null ? null : openEntropyScorer(p.entropyModel, { backend });
}
