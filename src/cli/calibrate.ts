import type { Command } from 'commander';
import { cliOption, defOf } from '../options/option-def.js';
import { PATCHING_OPTIONS } from '../options/patching.js';
import { engineOption, modelOption } from '../options/preprocess.js';
import { intArg, numberArg } from '../options/numeric.js';
import { MODEL_PATH_HELP } from './model-option.js';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { BltError } from '../core/errors.js';
import { DEFAULT_PATCH_SIZE } from '../patching/patch-options.js';
import type { EntropyEngineRequest } from '../entropy/engine.js';
import { calibrateThreshold, type CalibrationResult } from '../stats/calibrate.js';
import { calibrateByScript, type ScriptCalibrationResult } from '../stats/calibrate-by-script.js';
import type { SampleInfo, SampleLimits } from '../stats/calibration-input.js';
import type { CalibrationSample } from '../stats/calibration-sample.js';
import { backendFrom, backendOption } from './backend-option.js';

interface CalibrateCliOptions {
  targetPatchSize: number;
  monotonicity?: boolean;
  maxPatchLength?: number;
  tolerance: number;
  maxDocs?: number;
  maxBytes?: number;
  model?: string;
  engine: EntropyEngineRequest;
  backend?: string;
  textField?: string;
  lines?: boolean;
  json?: boolean;
  perScript?: boolean;
  minScriptBytes?: number;
  writeModel?: string;
}

/** Default sample sizes: stored entropies are cheap to read, model scoring is not. */
export const DEFAULT_SHARD_SAMPLE_BYTES = 8 * 2 ** 20;
export const DEFAULT_MODEL_SAMPLE_BYTES = 2 ** 20;

/** `blt calibrate`: the threshold whose mean patch length on the data matches a target. */
export function register(program: Command): void {
  program
    .command('calibrate')
    .description(
      'find the entropy threshold whose mean patch length matches a target (from stored entropies, or scoring inputs)',
    )
    .argument(
      '<inputs...>',
      'a shard set directory (uses its stored entropies, no model run), or input files/dirs/globs to score',
    )
    .option(
      '--target-patch-size <n>',
      'target mean patch length (tokens per patch)',
      numberArg('--target-patch-size'),
      DEFAULT_PATCH_SIZE,
    )
    .addOption(
      cliOption(defOf(PATCHING_OPTIONS, 'monotonicity'), 'calibrate the relative threshold (H[t-1] - H[t-2] > θ_r)'),
    )
    .addOption(
      cliOption(defOf(PATCHING_OPTIONS, 'maxPatchLength'), 'patches longer than this are split (as in preprocessing)'),
    )
    .option('--tolerance <fraction>', 'accepted relative error of the mean', numberArg('--tolerance'), 0.01)
    .option('--max-docs <n>', 'use at most n documents', intArg('--max-docs', 1))
    .option(
      '--max-bytes <n>',
      `use at most n text bytes (default ${DEFAULT_SHARD_SAMPLE_BYTES} for a shard ` +
        `set, ${DEFAULT_MODEL_SAMPLE_BYTES} when scoring)`,
      intArg('--max-bytes', 1),
    )
    .addOption(
      modelOption('--model <path>', `entropy model for inputs: ${MODEL_PATH_HELP} (default: the shipped model)`),
    )
    .addOption(engineOption())
    .addOption(backendOption())
    .option('--text-field <name>', 'JSONL/Parquet field holding the text (inputs)')
    .option('--lines', 'plain-text inputs: one document per line')
    .option('--per-script', 'also calibrate one threshold per script bucket (global rule), for the per-script table')
    .option(
      '--min-script-bytes <n>',
      'per-script: scripts with less sample text use the global threshold (default 16384)',
      intArg('--min-script-bytes', 1),
    )
    .option(
      '--write-model <dir|ngram:file>',
      'store the calibration with that model (the default threshold of preprocess/repatch): config.json ' +
        'training.patching, or <file>.patching.json',
    )
    .option('--json', 'print one JSON object (keys in docs/stats.md)')
    .action(async (inputs: string[], opts: CalibrateCliOptions) => runCalibrate(inputs, opts));
}

async function isShardSet(path: string): Promise<boolean> {
  return (await stat(join(path, 'index.json')).catch(() => null))?.isFile() === true;
}

async function runCalibrate(inputs: string[], opts: CalibrateCliOptions): Promise<void> {
  const shardDir = inputs.length === 1 && (await isShardSet(inputs[0] as string)) ? (inputs[0] as string) : undefined;
  for (const p of inputs) {
    if (p !== shardDir && (await isShardSet(p))) {
      throw new BltError(
        'BAD_OPTION',
        `Expected one shard set directory or raw inputs, got the shard set ${p} among ${inputs.length} inputs.`,
        'calibrate one shard set at a time',
      );
    }
  }
  if (shardDir && opts.model !== undefined) {
    throw new BltError(
      'BAD_OPTION',
      `Expected no --model with a shard set (its stored entropies are used), got --model ${opts.model}.`,
      'drop --model, or pass the raw inputs to score them with that model',
    );
  }
  const limits: SampleLimits = {
    maxDocs: opts.maxDocs ?? Infinity,
    maxBytes: opts.maxBytes ?? (shardDir ? DEFAULT_SHARD_SAMPLE_BYTES : DEFAULT_MODEL_SAMPLE_BYTES),
  };
  if (!(limits.maxDocs >= 1) || !(limits.maxBytes >= 1))
    throw new BltError(
      'BAD_OPTION',
      `Expected --max-docs and --max-bytes ≥ 1, got ${limits.maxDocs} and ${limits.maxBytes}.`,
    );
  const { sampleShardSet, sampleInputs } = await import('../stats/calibration-input.js');
  let got: { sample: CalibrationSample; info: SampleInfo };
  let scorer: { engine: string; detail: string } | undefined;
  if (shardDir) got = await sampleShardSet(shardDir, limits);
  else {
    const { openEntropyScorer } = await import('../entropy/open-scorer.js');
    const s = await openEntropyScorer(opts.model, { engine: opts.engine, backend: backendFrom(opts.backend) });
    scorer = s;
    try {
      got = await sampleInputs(inputs, s, limits, {
        ...(opts.textField === undefined ? {} : { textField: opts.textField }),
        linesAsDocs: opts.lines === true,
      });
    } finally {
      await s.close();
    }
  }
  const calOpts = {
    target: opts.targetPatchSize,
    monotonicity: opts.monotonicity === true,
    tolerance: opts.tolerance,
    ...(opts.maxPatchLength === undefined ? {} : { maxPatchLength: opts.maxPatchLength }),
  };
  if (opts.perScript === true && opts.monotonicity === true) {
    throw new BltError(
      'BAD_OPTION',
      'Expected --per-script with the global rule, got --monotonicity.',
      'per-script thresholds apply to the global rule only; drop one of the two',
    );
  }
  const byScript =
    opts.perScript === true
      ? calibrateByScript(got.sample, {
          ...calOpts,
          ...(opts.minScriptBytes === undefined ? {} : { minBytes: opts.minScriptBytes }),
        })
      : null;
  const result = byScript?.global ?? calibrateThreshold(got.sample, calOpts);
  const source = shardDir
    ? { kind: 'shards' as const, shardDir }
    : { kind: 'model' as const, inputs, model: opts.model ?? 'default', engine: scorer?.engine ?? '' };
  const perScript = byScript
    ? {
        scriptThresholds: byScript.scriptThresholds,
        scripts: byScript.scripts,
        skippedScripts: byScript.skipped,
        minScriptBytes: byScript.minBytes,
        spread: byScript.spread,
      }
    : {};
  if (opts.json) {
    process.stdout.write(
      JSON.stringify({
        format: 'blt-calibration',
        version: 1,
        source,
        ...(opts.maxPatchLength === undefined ? {} : { maxPatchLength: opts.maxPatchLength }),
        sample: got.info,
        ...result,
        ...perScript,
      }) + '\n',
    );
  } else {
    const from = shardDir ? `stored entropies of ${shardDir}` : (scorer?.detail ?? 'model');
    process.stdout.write(`${formatCalibration(result, got.info, from)}\n`);
    if (byScript) process.stdout.write(`${formatScripts(byScript)}\n`);
  }
  if (opts.writeModel !== undefined) {
    if (opts.monotonicity === true)
      throw new BltError(
        'BAD_OPTION',
        'Expected --write-model with the global rule, got --monotonicity.',
        'preprocess uses a stored threshold only for the global rule',
      );
    const { writeModelPatching } = await import('../entropy/model-threshold.js');
    const file = await writeModelPatching(opts.writeModel, {
      threshold: result.threshold,
      ...(byScript && Object.keys(byScript.scriptThresholds).length > 0
        ? { scriptThresholds: byScript.scriptThresholds }
        : {}),
      target_mean_patch_length: result.target,
      ...(opts.maxPatchLength === undefined ? {} : { max_patch_length_used: opts.maxPatchLength }),
      calibrated_on: {
        source,
        sample: got.info,
        meanPatchLength: result.meanPatchLength,
        bytesPerPatch: result.bytesPerPatch,
        ...(byScript ? { spread: byScript.spread } : {}),
      },
    });
    process.stderr.write(`blt calibrate: stored the calibration in ${file}\n`);
  }
  if (!result.withinTolerance) {
    process.stderr.write(
      `blt calibrate: no threshold reaches ${result.target} within ${100 * result.tolerance}% on this ` +
        `sample; the closest achievable mean is ${result.meanPatchLength.toFixed(4)} (θ ` +
        `= ${result.threshold}).\n`,
    );
  }
}

function formatCalibration(r: CalibrationResult, info: SampleInfo, from: string): string {
  const pct = (x: number): string => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(2)}%`;
  const sampleNote =
    info.setDocuments !== undefined
      ? ` of ${info.setDocuments.toLocaleString('en-US')} documents ` +
        `/ ${info.setBytes?.toLocaleString('en-US')} bytes in the ` +
        `set${info.sampled ? ` (sampled, p = ${(info.rate ?? 1).toPrecision(3)})` : ''}`
      : info.truncated
        ? ' (stopped at --max-docs/--max-bytes)'
        : '';
  const [lo, hi] = r.thresholdInterval;
  const rule =
    r.rule === 'global'
      ? 'global: token t ≥ 2 starts a patch iff H[t-1] > θ'
      : 'monotonic: token t ≥ 3 starts a patch iff H[t-1] - H[t-2] > θ_r';
  const s = r.stats;
  const lines = [
    `entropies          ${from}`,
    `sample             ${info.documents.toLocaleString('en-US')} ` +
      `documents, ${info.bytes.toLocaleString('en-US')} bytes, ${info.tokens.toLocaleString('en-US')} ` +
      `tokens${sampleNote}`,
    `rule               ${rule}`,
    `target             mean patch length ${r.target} (±${100 * r.tolerance}%)`,
    `threshold          ${r.threshold}   (every θ in [${lo ?? '-∞'}, ${hi ?? '+∞'}) gives the same patches)`,
    `mean patch length  ${r.meanPatchLength.toFixed(4)} ` +
      `(${pct(r.relativeError)})  ` +
      `${r.withinTolerance ? 'within tolerance' : 'NOT within tolerance: the closest achievable'}`,
    `patches            ${s.patches.toLocaleString('en-US')}   median ${s.median}  p90 ${s.p90}  ` +
      `p99 ${s.p99}  max ${s.max}   bytes/patch ${r.bytesPerPatch.toFixed(3)}`,
    `achievable means   ${r.achievable.min.toFixed(4)} … ${r.achievable.max.toFixed(4)} on this sample ` +
      `(${r.distinctValues.toLocaleString('en-US')} distinct decision values, ${r.iterations} evaluations)`,
  ];
  if (!r.withinTolerance) {
    const b = r.below;
    const a = r.above;
    lines.push(
      `neighbouring ` +
        `steps ${b ? `θ ${b.threshold} → ${b.meanPatchLength.toFixed(4)}` : '-'}   ` +
        `${a ? `θ ${a.threshold} → ${a.meanPatchLength.toFixed(4)}` : '-'}`,
    );
  }
  return lines.join('\n');
}

function formatScripts(r: ScriptCalibrationResult): string {
  const lines = [
    '',
    `per script (≥ ${r.minBytes.toLocaleString('en-US')} sample bytes; ` +
      `others use the global θ ${r.global.threshold}):`,
    '  script        docs      bytes  threshold  mean patch  bytes/patch  (at global θ)',
  ];
  for (const s of r.scripts) {
    lines.push(
      `  ${s.script.slice(7).padEnd(10)} ${String(s.documents).padStart(7)} ${String(s.bytes).padStart(10)} ` +
        `${String(s.threshold).padStart(10)} ${s.meanPatchLength.toFixed(3).padStart(11)} ` +
        `${s.bytesPerPatch.toFixed(3).padStart(12)}  ` +
        `(${s.bytesPerPatchAtGlobal.toFixed(3)})${s.withinTolerance ? '' : '  not within tolerance'}`,
    );
  }
  if (r.skipped.length > 0)
    lines.push(`  global θ for: ${r.skipped.map((s) => `${s.script.slice(7)} (${s.bytes} B)`).join(', ')}`);
  lines.push(
    `spread of bytes/patch (max/min over these scripts): ${r.spread.global.toFixed(2)}× with the global ` +
      `θ, ${r.spread.perScript.toFixed(2)}× with the table`,
  );
  return lines.join('\n');
}
