/**
 * `POST /v1/jobs` bodies → `blt preprocess` options (PreprocessOptions), validated field by field
 * (unknown fields refused) and then by `resolvePreprocessConfig` itself, with every server-side
 * path confined to the roots: the inputs (and every file a directory or glob lists), `out`, and a
 * job's own `entropyModel`.
 *
 * Field names are PreprocessOptions' (the CLI flags in camelCase; `--shard-size` is
 * `shardSizeBytes`, `--max-doc-bytes` is `maxDocBytes`, `--no-ngram-ids` is `ngramIds: false`).
 */
import { BltError } from '../core/errors.js';
import { NGRAM_PREFIX } from '../entropy/open-scorer.js';
import { listInputs } from '../ingest/index.js';
import { resolvePreprocessConfig, type PreprocessOptions } from '../preprocess/config.js';
import { PREPROCESS_OPTIONS } from '../options/preprocess.js';
import { bodyKeys } from '../options/option-def.js';
import { expectObject, optString, optStringArray, parseBody, rejectUnknown } from './body-fields.js';
import type { PathGuard } from './path-guard.js';

/** The job fields: `inputs`, `out` and the options of `blt preprocess` a body may set. */
export const JOB_FIELDS = ['inputs', 'out', ...bodyKeys(PREPROCESS_OPTIONS)];

export interface JobDefaults {
  /** the server's entropy model (undefined: the shipped default) */
  entropyModel?: string;
  /** preprocessing workers when the job names none; also the most a job may ask for */
  workers: number;
}

/** The fields of a job body as options; `out` and paths not yet checked against the roots. */
export function parseJobFields(body: unknown, defaults: JobDefaults): PreprocessOptions & { out: string | undefined } {
  const o = expectObject(body, 'the request body');
  rejectUnknown(o, JOB_FIELDS, 'the job request');
  const inputs = optStringArray(o, 'inputs');
  if (!inputs)
    throw new BltError(
      'BAD_OPTION',
      'Expected `inputs`: a non-empty array of server-side files, directories or globs under the roots, got nothing.',
      'e.g. {"inputs": ["corpus/part-1.jsonl"]}',
    );
  const out = optString(o, 'out');
  const given = parseBody(o, PREPROCESS_OPTIONS, { workers: defaults.workers });
  const filled: Record<string, unknown> = { entropyModel: defaults.entropyModel, workers: defaults.workers };
  const p: Record<string, unknown> = { inputs, ...(out === undefined ? {} : { out }) };
  for (const k of bodyKeys(PREPROCESS_OPTIONS)) {
    const v = given[k] ?? filled[k];
    if (v !== undefined) p[k] = v;
  }
  return p as unknown as PreprocessOptions & { out: string | undefined };
}

/** Confines the inputs (every listed file, by real path) and the model of a job to the roots. */
export async function checkJobInputs(
  options: PreprocessOptions,
  guard: PathGuard,
  serverModel: string | undefined,
): Promise<void> {
  for (const [i, input] of options.inputs.entries()) {
    await guard.check(`inputs[${i}]`, input);
    // every listed file is checked against the roots before anything is read or said about it
    const files = await listInputs([input], { check: (p) => guard.checkListed(`inputs[${i}]`, p) });
    if (files.length === 0) throw new BltError('NOT_FOUND', `\`inputs[${i}]\`: ${input} holds no input files.`);
  }
  const m = options.entropyModel;
  if (m !== undefined && m !== serverModel) {
    await guard.check('entropyModel', m.startsWith(NGRAM_PREFIX) ? m.slice(NGRAM_PREFIX.length) : m);
  }
}

/**
 * A job body → checked options with absolute paths: inputs resolved against the roots, `out`
 * (inside the roots, or `defaultOut` when absent), the server's model and workers filled in,
 * then validated by `resolvePreprocessConfig`.
 */
export async function parseJobRequest(
  body: unknown,
  guard: PathGuard,
  defaults: JobDefaults,
  defaultOut: string,
): Promise<PreprocessOptions> {
  const fields = parseJobFields(body, defaults);
  const inputs: string[] = [];
  for (const [i, input] of fields.inputs.entries()) inputs.push(await guard.check(`inputs[${i}]`, input));
  const out = fields.out === undefined ? defaultOut : await guard.check('out', fields.out);
  let entropyModel = fields.entropyModel;
  if (entropyModel !== undefined && entropyModel !== defaults.entropyModel) {
    const ngram = entropyModel.startsWith(NGRAM_PREFIX);
    const path = await guard.check('entropyModel', ngram ? entropyModel.slice(NGRAM_PREFIX.length) : entropyModel);
    entropyModel = ngram ? NGRAM_PREFIX + path : path;
  }
  const options: PreprocessOptions = {
    ...fields,
    inputs,
    out,
    ...(entropyModel === undefined ? {} : { entropyModel }),
  };
  resolvePreprocessConfig(options); // throws BAD_OPTION with the library's message
  await checkJobInputs(options, guard, defaults.entropyModel);
  return options;
}
