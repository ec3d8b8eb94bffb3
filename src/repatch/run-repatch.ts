/**
 * `blt repatch <shard-dir> --out <dir> [patching options]`: new patch lengths from the entropies
 * stored in a shard set, without running the entropy model. Every other column is copied into
 * new shards written with the source's shard settings (docs/reuse.md). The result equals a fresh
 * `blt preprocess` of the same inputs with the new patching options (and `--store-entropies`
 * when the source holds entropies): same shard bytes, same manifest apart from `createdAt`.
 *
 * Options not given take `blt preprocess`'s defaults, not the source's values: in particular the
 * default entropy threshold is the entropy model's calibrated one (which needs the model that
 * scored the source, unchanged) or, without it, must be given with --threshold.
 */
import { BltError } from '../core/errors.js';
import { entropyModelFingerprint } from '../entropy/open-scorer.js';
import { checkScriptThresholds, resolveThreshold, type ThresholdChoice } from '../entropy/model-threshold.js';
import type { PatchMode } from '../patching/patch-options.js';
import { canonicalJson } from '../core/canonical-json.js';
import type { PreprocessConfig } from '../preprocess/config.js';
import { runFingerprints } from '../preprocess/fingerprints.js';
import { thresholdSource } from '../preprocess/prepare-run.js';
import type { PatchingSettings } from '../preprocess/settings.js';
import type { PreprocessHooks, PreprocessSummary } from '../shardset/summary.js';
import { deriveShardSet } from './derive-shard-set.js';
import { configWithPatching, openSourceSet, sourceStoredConfig, type SourceSet } from './source-set.js';

export interface RepatchOptions {
  /** the source shard set */
  source: string;
  out: string;
  mode?: PatchMode;
  threshold?: number;
  /** with `threshold`: per-script thresholds (src/entropy/script-threshold.ts), recorded in the manifest */
  scriptThresholds?: Record<string, number>;
  thresholdAdd?: number;
  monotonicity?: boolean;
  maxPatchLength?: number;
  patchSize?: number;
}

export interface RepatchSummary extends PreprocessSummary {
  source: string;
  /** the patching settings the new set was made with (defaults resolved) */
  patching: PatchingSettings;
}

/** The default threshold as `blt preprocess` resolves it, from the model that scored the source. */
async function defaultThreshold(source: SourceSet, log: (m: string) => void): Promise<ThresholdChoice> {
  const e = source.config.process.entropy;
  const used = source.config.process.patching.threshold;
  const patchedWith = used === undefined ? 'no global threshold' : `--threshold ${used}`;
  const hint = `pass --threshold (the source was patched with ${patchedWith})`;
  if (!e) throw new BltError('INTERNAL', 'defaultThreshold on a source without entropies');
  const now = await entropyModelFingerprint(e.model).catch(() => null);
  if (now?.fingerprint !== e.fingerprint) {
    throw new BltError(
      'BAD_OPTION',
      "Expected --threshold: the default is the entropy model's calibrated threshold, and the model that scored " +
        `${source.dir} (${e.model}) is ${now ? 'changed' : 'not available'} here.`,
      hint,
    );
  }
  const t = await resolveThreshold(undefined, e.model);
  log(
    `entropy threshold ${t.threshold} (${thresholdSource(t)}` +
      `${t.scriptThresholds ? ', with its per-script table' : ''}; set --threshold to change it)`,
  );
  return t;
}

/** The configuration of a fresh run equivalent to the repatch. */
export async function repatchConfig(
  source: SourceSet,
  o: RepatchOptions,
  log: (m: string) => void = () => undefined,
): Promise<PreprocessConfig> {
  const mode = o.mode ?? 'entropy';
  if (mode === 'entropy' && source.config.process.entropy === null) {
    throw new BltError(
      'BAD_OPTION',
      `Expected a shard set with stored entropies for --mode entropy, got ${source.dir}, which holds none ` +
        `(made with --mode ${source.config.process.patching.mode}).`,
      'preprocess the corpus with --store-entropies (or in entropy mode) to keep entropies, ' +
        'or repatch with --mode space, static or byte',
    );
  }
  const patching: Partial<PatchingSettings> = { mode, monotonicity: o.monotonicity === true };
  for (const k of ['threshold', 'thresholdAdd', 'maxPatchLength', 'patchSize'] as const)
    if (o[k] !== undefined) patching[k] = o[k];
  if (o.scriptThresholds !== undefined) {
    if (mode !== 'entropy' || o.monotonicity === true || o.threshold === undefined) {
      throw new BltError(
        'BAD_OPTION',
        'Expected scriptThresholds with --mode entropy, the global rule and an explicit --threshold ' +
          '(the fallback for other scripts).',
      );
    }
    const table = checkScriptThresholds(o.scriptThresholds, 'scriptThresholds');
    if (table) patching.scriptThresholds = table;
  }
  const c = configWithPatching(sourceStoredConfig(source), patching, o.out);
  if (patching.scriptThresholds) c.process.patching.scriptThresholds = patching.scriptThresholds;
  const p = c.process.patching;
  if (p.mode === 'entropy' && !p.monotonicity && p.threshold === undefined) {
    const t = await defaultThreshold(source, log);
    p.threshold = t.threshold;
    if (t.scriptThresholds) p.scriptThresholds = t.scriptThresholds;
  }
  return c;
}

export async function runRepatch(o: RepatchOptions, hooks: PreprocessHooks = {}): Promise<RepatchSummary> {
  const t0 = performance.now();
  const log = hooks.log ?? (() => undefined);
  if (typeof o.out !== 'string' || o.out === '')
    throw new BltError(
      'BAD_OPTION',
      `Expected --out to be a directory for the new shard set, got ${JSON.stringify(o.out)}.`,
    );
  const source = await openSourceSet(o.source);
  const c = await repatchConfig(source, o, log);
  const inputs = source.manifest.inputs;
  const fingerprints = runFingerprints(c, inputs);
  const kept = (['content', 'entropy', 'ngrams'] as const).filter(
    (k) => fingerprints[k] !== source.manifest.fingerprints[k],
  );
  if (kept.length > 0)
    throw new BltError(
      'INTERNAL',
      `repatch changed the ${kept.join(', ')} fingerprint(s): ${canonicalJson(fingerprints)}`,
    );
  if (fingerprints.patches === source.manifest.fingerprints.patches)
    log(`the patching settings equal the source's; the new set will hold the same patch lengths`);
  const summary = await deriveShardSet(source, c, { inputs, fingerprints }, hooks, t0);
  return { ...summary, source: o.source, patching: { ...c.process.patching } };
}
