/** Before a preprocessing run writes anything: its inputs listed and hashed, its model resolved, its fingerprints. */
import { listInputs, partitionFiles, type InputFile } from '../ingest/index.js';
import type { ManifestFingerprints, ManifestInput } from '../shards/manifest.js';
import { entropyModelFingerprint } from '../entropy/open-scorer.js';
import { resolveThreshold } from '../entropy/model-threshold.js';
import type { PreprocessConfig } from './config.js';
import { describeInputs, runFingerprints } from './fingerprints.js';

/** Inputs listed and hashed, the model's fingerprint and threshold resolved, the fingerprints computed. */
export interface PreparedRun {
  files: InputFile[];
  inputs: ManifestInput[];
  fingerprints: ManifestFingerprints;
}

/** How a default threshold was chosen, for the log. */
export const thresholdSource = (t: { source: string }): string =>
  t.source === 'model' ? "the model's calibrated threshold" : 'the reference default';

/**
 * Lists and hashes the inputs, resolves the entropy model's fingerprint and default threshold
 * (filling them into `c.process`), and computes the run's fingerprints.
 */
export async function prepareRun(
  c: PreprocessConfig,
  log: (m: string) => void = () => undefined,
): Promise<PreparedRun> {
  let files = await listInputs(c.inputs, {
    exclude: [c.out],
    onSkip: (s) =>
      log(
        `skipped ${s.path}: ` +
          (s.reason === 'output'
            ? "it is this run's output directory"
            : 'it is a shard set (an earlier output), not input text'),
      ),
  });
  if (c.partition.count > 1) files = partitionFiles(files, c.partition.count, c.partition.index);
  if (c.process.entropy) {
    const m = await entropyModelFingerprint(c.entropyModel ?? undefined);
    c.process.entropy.model = m.spec;
    c.process.entropy.fingerprint = m.fingerprint;
    const p = c.process.patching;
    if (p.mode === 'entropy' && !p.monotonicity && p.threshold === undefined) {
      const t = await resolveThreshold(undefined, m.spec);
      p.threshold = t.threshold;
      if (t.scriptThresholds) p.scriptThresholds = t.scriptThresholds;
      log(
        `entropy threshold ${t.threshold} (${thresholdSource(t)}${
          t.scriptThresholds
            ? `; per script: ${Object.entries(t.scriptThresholds)
                .map(([k, v]) => `${k.slice(7)} ${v}`)
                .join(', ')}`
            : ''
        }; set --threshold to change it)`,
      );
    }
  }
  const inputs = await describeInputs(files);
  return { files, inputs, fingerprints: runFingerprints(c, inputs) };
}
