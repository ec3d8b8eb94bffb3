/**
 * `npm run experiment`: entropy vs static vs space patching vs a byte-level model at equal
 * training compute (src/experiment/patching-experiment.ts; results in docs/RESULTS.md).
 *
 *   node --import tsx scripts/experiment.ts [--budget 2e11] [--seeds 0,1] [--arms entropy,static,space,byte]
 *     [--work runs/experiment] [--figures docs/results] [--quick] [--replot]
 *
 * --replot: only the tables and figures again from <work>/results.json (no training).
 * --quick: a smoke run (small corpus, tiny budget, one seed) to check the harness end to end.
 * Writes <work>/results.json (partial after every run), <work>/tables.md and the SVGs.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { experimentTables, replot, runPatchingExperiment, TINY_BLT } from '../src/experiment/patching-experiment.js';

const { values } = parseArgs({
  options: {
    budget: { type: 'string' }, seeds: { type: 'string' }, arms: { type: 'string' }, work: { type: 'string' },
    figures: { type: 'string' }, quick: { type: 'boolean', default: false }, replot: { type: 'boolean', default: false }, lr: { type: 'string' }, workers: { type: 'string' },
  },
});
const quick = values.quick;
const t0 = Date.now();
const work = values.work ?? (quick ? 'runs/experiment-quick' : 'runs/experiment');
const figures = values.figures ?? (quick ? 'runs/experiment-quick/figures' : 'docs/results');
const r = values.replot ? await replot(work, figures) : await runPatchingExperiment({
  work,
  figures,
  budget: Number(values.budget ?? (quick ? 2e10 : 2e11)),
  seeds: (values.seeds ?? (quick ? '0' : '0,1')).split(',').map(Number),
  arms: (values.arms ?? 'entropy,static,space,byte').split(','),
  udhrBytes: quick ? 400 : 1200,
  brownBytes: quick ? 1000 : 4000,
  brownDocs: quick ? 20 : 60,
  batchSize: 4,
  maxBytesPerRow: 256,
  lr: Number(values.lr ?? 2e-3),
  workers: Number(values.workers ?? 2),
  curvePoints: 4,
  targetMeanPatch: 4.5,
  model: TINY_BLT,
  log: (m) => console.log(m),
});
const tables = experimentTables(r);
await writeFile(join(work, 'tables.md'), `${tables}\n`);
console.log(`\n${tables}\n\n${((Date.now() - t0) / 60000).toFixed(1)} min`);
