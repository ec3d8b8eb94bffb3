/**
 * Which shard sets a run reads, prepared once at its start (and found again on resume):
 *
 *   data ──(patching choice: repatch into <out>/data/patches-<fingerprint>)──▶ train sets
 *        ──(no --val-data: split by document into <out>/data/split-<key>/{train,val})──▶ train + val
 *
 * Derived sets are cached under the run directory by what they depend on (the patches
 * fingerprint, the split key), so a resumed run, or a second run with the same out directory,
 * reuses them. The mean patch length (Σ tokens / Σ patches of the training sets' documents)
 * feeds the FLOPs-per-byte figure of the scheme.
 */
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { BltError } from '../../core/errors.js';
import { runFingerprints } from '../../preprocess/fingerprints.js';
import { readManifest } from '../../shards/manifest.js';
import { repatchConfig, runRepatch, type RepatchOptions } from '../../repatch/run-repatch.js';
import { openSourceSet } from '../../repatch/source-set.js';
import type { BltTrainConfig } from './config.js';
import type { PatchingChoice } from './patching-choice.js';
import { splitKey, splitShardSet } from './split-shard-set.js';

export interface DataPlan {
  readonly train: readonly string[];
  /** Validation sets, or empty when the run has none. */
  readonly val: readonly string[];
  /** Σ tokens / Σ patches over the training sets (documents as stored, BOS/EOS included). */
  readonly meanPatchLength: number;
  readonly documents: { readonly train: number; readonly val: number };
  readonly bytes: { readonly train: number; readonly val: number };
  /** The training sets' `patches` fingerprints, in order. */
  readonly patchesFingerprints: readonly string[];
}

export interface DataPlanHooks {
  readonly log?: (message: string) => void;
}

const exists = (p: string): Promise<boolean> =>
  stat(p).then(
    () => true,
    () => false,
  );

/** `dir` repatched with `choice` into the run's cache (reused when already there). */
async function repatched(dir: string, choice: PatchingChoice, out: string, log: (m: string) => void): Promise<string> {
  // `out` takes no part in the fingerprint
  const opts: RepatchOptions = { source: dir, out: join(out, 'data', 'patches'), mode: choice.mode };
  if (choice.threshold !== undefined) opts.threshold = choice.threshold;
  if (choice.patchSize !== undefined) opts.patchSize = choice.patchSize;
  if (choice.maxPatchLength !== undefined) opts.maxPatchLength = choice.maxPatchLength;
  if (choice.scriptThresholds !== undefined) opts.scriptThresholds = { ...choice.scriptThresholds };
  const source = await openSourceSet(dir);
  const c = await repatchConfig(source, opts); // runRepatch logs the resolved threshold itself
  const fp = runFingerprints(c, source.manifest.inputs).patches as string;
  const target = join(out, 'data', `patches-${fp.slice(0, 16)}`);
  if (await exists(join(target, 'index.json'))) {
    const m = await readManifest(target);
    if (m.fingerprints.patches === fp) return target;
  }
  log(`repatching ${dir} (${choice.mode}) into ${target}`);
  await runRepatch({ ...opts, out: target }, { log });
  return target;
}

async function totalsOf(
  dirs: readonly string[],
): Promise<{ documents: number; bytes: number; tokens: number; patches: number; fingerprints: string[] }> {
  const t = { documents: 0, bytes: 0, tokens: 0, patches: 0, fingerprints: [] as string[] };
  for (const d of dirs) {
    const m = await readManifest(d);
    t.documents += m.totals.documents;
    t.bytes += m.totals.bytes;
    t.tokens += m.totals.tokens;
    t.patches += m.totals.patches;
    t.fingerprints.push(m.fingerprints.patches ?? m.fingerprints.content);
  }
  return t;
}

/** `dirs` with the run's patching choice applied (repatched copies in the run's cache), or as they are. */
export async function deriveForRun(
  dirs: readonly string[],
  patching: PatchingChoice | null,
  out: string,
  log: (m: string) => void = () => undefined,
): Promise<string[]> {
  if (!patching) return [...dirs];
  const outDirs: string[] = [];
  for (const d of dirs) outDirs.push(await repatched(d, patching, resolve(out), log));
  return outDirs;
}

/** Prepares (or finds again) the run's training and validation shard sets. */
export async function prepareDataPlan(cfg: BltTrainConfig, out: string, hooks: DataPlanHooks = {}): Promise<DataPlan> {
  const log = hooks.log ?? (() => undefined);
  const runDir = resolve(out);
  const derive = (dirs: readonly string[]): Promise<string[]> => deriveForRun(dirs, cfg.patching, runDir, log);
  let train = await derive(cfg.data);
  let val: string[] = cfg.valData ? await derive(cfg.valData) : [];
  if (!cfg.valData && cfg.valFraction > 0) {
    const sides = { train: [] as string[], val: [] as string[] };
    let documents = 0;
    for (const d of train) {
      const key = splitKey(await readManifest(d), cfg.valFraction);
      const dir = join(runDir, 'data', `split-${key.slice(0, 16)}`);
      if (!(await exists(join(dir, 'val', 'index.json'))))
        log(`splitting ${d} by document (${cfg.valFraction} held out) into ${dir}`);
      const s = await splitShardSet(d, dir, cfg.valFraction);
      documents += s.documents.train + s.documents.val;
      if (s.documents.train > 0) sides.train.push(s.train);
      if (s.documents.val > 0) sides.val.push(s.val);
    }
    if (documents === 0) {
      throw new BltError(
        'BAD_INPUT',
        `--data ${cfg.data.join(' ')} holds no documents (an empty shard set): there is nothing to train on.`,
        'preprocess some input into the shard set first (blt preprocess <inputs> --out <dir>), or pass another --data',
      );
    }
    if (sides.train.length === 0) {
      throw new BltError(
        'BAD_INPUT',
        `Every document of ${cfg.data.join(', ')} fell on the validation side of the split ` +
          `(--val-fraction ${cfg.valFraction}).`,
        'use more documents, a smaller --val-fraction, or --val-data',
      );
    }
    if (sides.val.length === 0) {
      throw new BltError(
        'BAD_INPUT',
        `No document of ${cfg.data.join(', ')} fell on the validation side (--val-fraction ${cfg.valFraction}).`,
        'use more documents, a larger --val-fraction, --val-data <shard-dir>, or --val-fraction 0 for no validation',
      );
    }
    train = sides.train;
    val = sides.val;
  }
  const t = await totalsOf(train);
  const v = await totalsOf(val);
  return {
    train,
    val,
    meanPatchLength: t.patches > 0 ? t.tokens / t.patches : NaN,
    documents: { train: t.documents, val: v.documents },
    bytes: { train: t.bytes, val: v.bytes },
    patchesFingerprints: t.fingerprints,
  };
}
