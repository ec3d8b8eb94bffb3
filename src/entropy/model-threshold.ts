/**
 * The default entropy threshold for a model. The reference's 1.335442066192627 was calibrated
 * for its 100M-parameter entropy model; a smaller model has higher entropies everywhere (the
 * shipped one gives 1.2 bytes per patch at that threshold). A model directory may therefore
 * carry a calibrated threshold in config.json (`training.patching.threshold`, written by
 * calibration); commands use it when the user gives no --threshold, and record the threshold
 * they used in their output. The library's `patchLengths` keeps the reference default.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_THRESHOLD } from './patching/patch-options.js';
import { NGRAM_PREFIX } from './open-scorer.js';

export interface ThresholdChoice {
  threshold: number;
  source: 'option' | 'model' | 'reference';
}

/** The threshold a command should use: the user's, else the model's calibrated one, else the reference default. */
export async function resolveThreshold(explicit: number | undefined, modelDir: string | undefined): Promise<ThresholdChoice> {
  if (explicit !== undefined) return { threshold: explicit, source: 'option' };
  if (modelDir !== undefined && !modelDir.startsWith(NGRAM_PREFIX)) {
    try {
      const config = JSON.parse(await readFile(join(modelDir, 'config.json'), 'utf8')) as { training?: { patching?: { threshold?: unknown } } };
      const t = config.training?.patching?.threshold;
      if (typeof t === 'number' && Number.isFinite(t)) return { threshold: t, source: 'model' };
    } catch {
      // no readable config: the model loader reports that properly later
    }
  }
  return { threshold: DEFAULT_THRESHOLD, source: 'reference' };
}
