/**
 * `blt preprocess --cache-dir <dir>`: reuse across experiments (docs/design.md §5, docs/reuse.md).
 *
 * The run's fingerprints are computed first (inputs hashed, entropy model fingerprinted: no model
 * run). Then, among the cached sets of the same inputs:
 *
 * 1. a set with the same fingerprints and shard layout → the whole result is reused (`--out`
 *    gets hard links to its shards and a manifest of this run);
 * 2. else a set with the same `entropy` fingerprint (when the run needs entropies) → entropies
 *    are reused, n-gram ids too when their fingerprint matches, patch lengths (and n-gram ids
 *    otherwise) are recomputed: `deriveShardSet`, the engine of `blt repatch`;
 * 3. else everything is computed (`computeShardSet`).
 *
 * The finished set is stored in the cache (hard links), so several boundary sets of one corpus
 * live side by side. Every path writes `--out` through the same task contract, so a run killed in
 * one path resumes correctly in another, and the output equals a fresh run's.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { canonicalJson } from '../core/canonical-json.js';
import { WRITER_STATE_FILE } from '../shards/writer-state.js';
import type { PreprocessConfig } from '../preprocess/config.js';
import { computeShardSet } from '../preprocess/compute-shard-set.js';
import { prepareRun, type PreparedRun } from '../preprocess/prepare-run.js';
import { completedSummary, type PreprocessHooks, type PreprocessSummary } from '../shardset/summary.js';
import { derivePlan, deriveShardSet, sameInputs, type DerivePlan } from '../repatch/derive-shard-set.js';
import { openSourceSet, type SourceSet } from '../repatch/source-set.js';
import { tmpDir } from './cache-layout.js';
import { listCache, type CacheEntry } from './list-cache.js';
import { damagedShard, linkCachedSet } from './link-set.js';
import { publishToCache } from './publish-set.js';

interface Candidate {
  entry: CacheEntry;
  exact: boolean;
  plan: DerivePlan;
}

/** Removes a set from the cache: renamed into tmp/ first (atomic), then deleted. */
async function discardSet(cacheDir: string, path: string): Promise<void> {
  const aside = join(tmpDir(cacheDir), `${basename(path)}-damaged-${process.pid}-${randomBytes(4).toString('hex')}`);
  await mkdir(tmpDir(cacheDir), { recursive: true });
  await rename(path, aside);
  await rm(aside, { recursive: true, force: true });
}

const short = (fp: string | undefined): string => (fp ? `${fp.slice(0, 12)}…` : '-');

/** Cached sets that can produce this run, best first: exact, then entropies + n-grams, entropies, n-grams. */
async function reuseCandidates(cacheDir: string, c: PreprocessConfig, prepared: PreparedRun): Promise<Candidate[]> {
  const { sets } = await listCache(cacheDir);
  const layout = canonicalJson({ format: c.format, shardSizeBytes: c.shardSizeBytes, rowGroupRows: c.rowGroupRows });
  const out: Candidate[] = [];
  for (const entry of sets) {
    const { plan } = derivePlan(entry, c, prepared);
    if (!plan) continue;
    const exact =
      canonicalJson(entry.fingerprints) === canonicalJson(prepared.fingerprints) &&
      canonicalJson(entry.layout) === layout &&
      sameInputs(entry.inputs, prepared.inputs);
    if (exact || plan.entropies || plan.ngrams) out.push({ entry, exact, plan });
  }
  const score = (x: Candidate): number => (x.exact ? 4 : 0) + (x.plan.entropies ? 2 : 0) + (x.plan.ngrams ? 1 : 0);
  return out.sort((a, b) => score(b) - score(a) || (a.entry.key < b.entry.key ? -1 : 1));
}

function describeReuse(c: PreprocessConfig, from: string, s: PreprocessSummary, log: (m: string) => void): void {
  const p = c.process.patching;
  const settings = [
    `mode ${p.mode}`,
    ...(p.threshold === undefined ? [] : [`threshold ${p.threshold}`]),
    ...(p.thresholdAdd === undefined ? [] : [`threshold-add ${p.thresholdAdd}`]),
    ...(p.monotonicity ? ['monotonicity'] : []),
    ...(p.maxPatchLength === undefined ? [] : [`max-patch-length ${p.maxPatchLength}`]),
    ...(p.patchSize === undefined ? [] : [`patch-size ${p.patchSize}`]),
  ].join(', ');
  if (s.reused?.entropies)
    log(
      `cache: entropies reused from ${from} ` +
        `(entropy fingerprint ${short(s.fingerprints.entropy)}; no entropy model run)`,
    );
  else if (c.process.entropy) log('cache: entropies computed by the entropy model');
  if (s.reused?.patches) log(`cache: patch lengths reused from ${from} (${settings})`);
  else log(`cache: patch lengths recomputed (${settings})`);
  if (s.reused?.ngrams) log(`cache: n-gram ids reused from ${from}`);
  else if (c.process.ngrams) log('cache: n-gram ids computed');
}

export async function preprocessWithCache(
  c: PreprocessConfig,
  hooks: PreprocessHooks = {},
): Promise<PreprocessSummary> {
  const t0 = performance.now();
  const log = hooks.log ?? (() => undefined);
  const cacheDir = c.cacheDir as string;
  const prepared = await prepareRun(c, log);
  if (prepared.inputs.some((i) => i.sha256 === 'stdin')) {
    log('cache: not used: standard input has no checksum to key it by');
    return { ...(await computeShardSet(c, prepared, hooks, t0)), cache: { dir: cacheDir, from: null, stored: null } };
  }
  let summary = await completedSummary(c, prepared.fingerprints, t0, log);
  let from: string | null = null;
  if (!summary) {
    const resuming = existsSync(join(c.out, WRITER_STATE_FILE));
    for (const cand of await reuseCandidates(cacheDir, c, prepared)) {
      let source: SourceSet;
      try {
        source = await openSourceSet(cand.entry.path);
      } catch (err) {
        log(`cache: skipping ${cand.entry.path}: ${(err as Error).message.split('\n')[0]}`);
        continue;
      }
      const bad = await damagedShard(source);
      if (bad) {
        await discardSet(cacheDir, cand.entry.path);
        log(
          `cache: skipping ${cand.entry.path}: ${bad} does not match its checksum; ` +
            'the damaged set was removed from the cache',
        );
        continue;
      }
      summary =
        cand.exact && !resuming
          ? await linkCachedSet(source, c, prepared, t0)
          : await deriveShardSet(source, c, prepared, hooks, t0);
      from = cand.entry.path;
      break;
    }
    if (summary && from) describeReuse(c, from, summary, log);
    if (!summary) {
      log(
        `cache: no cached set of these inputs${c.process.entropy ? ' with entropies of this model' : ''} ` +
          `in ${cacheDir}; computing every column`,
      );
      summary = await computeShardSet(c, prepared, hooks, t0);
    }
  }
  let stored: string | null = null;
  if (summary.status !== 'interrupted') {
    const r = await publishToCache(cacheDir, c.out);
    stored = r.path;
    if (r.outcome === 'stored') log(`cache: stored as ${r.path}`);
    else if (r.outcome === 'no-completions') log(`cache: ${c.out} not stored (it has no completion records)`);
  }
  return { ...summary, cache: { dir: cacheDir, from, stored } };
}
