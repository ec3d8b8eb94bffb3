/**
 * The options of `blt preprocess` (and of `/v1/jobs`, which takes them as JSON fields), declared
 * once: the patching rule, the entropy model, the hashed n-grams, then the shards, the reading of
 * the inputs and the run. `resolvePreprocessConfig` (src/preprocess/config.ts) fills the defaults
 * declared here into the stored config.
 */
import { MODEL_PATH_HELP } from '../cli/model-option.js';
import { HASHING_OPTIONS } from './hashing.js';
import type { Option } from 'commander';
import { bool, cliOption, defOf, int, oneOf, opt, size, str, type OptionDef, type OptionValues } from './option-def.js';
import { PATCH_RULE_OPTIONS } from './patching.js';

export const ENGINES = ['auto', 'onnx', 'tfjs'] as const;
export const DEFAULT_DOCS_PER_TASK = 64;
export const DEFAULT_TASK_BYTES = 1 << 20;
export const DEFAULT_MAX_DOC_BYTES = 64 * 2 ** 20;
export const DEFAULT_SHARD_SIZE = 128 * 2 ** 20;
/** the longest line the readers take (a Node string's limit, less room for a JSON line's quotes) */
export const MAX_LINE_BYTES = 2 ** 29 - 64;
/** the most worker threads a run may ask for */
export const MAX_WORKERS = 256;

const ID_FIELDS = 'sample_id|title|qid|paper_id|path|url|id';
const MAX_LINE_HELP = 'quarantine longer JSONL / text lines without reading them (default 256MiB)';
const INVALID_UTF8_HELP = 'JSONL lines that are not valid UTF-8: quarantine them, or decode them with U+FFFD';
const CACHE_DIR_HELP =
  'reuse stored entropies / n-gram ids / whole sets across runs, and store this set there ' +
  '(default: $BLT_CACHE_DIR; docs/reuse.md)';

/** The entropy model that scores the documents (entropy mode, or --store-entropies). */
export const ENTROPY_OPTIONS = [
  opt('entropyModel', str, '--entropy-model <path>', `entropy model: ${MODEL_PATH_HELP} (default: the shipped model)`),
  opt('engine', oneOf(ENGINES), '--engine <name>', 'entropy inference engine', { default: 'auto' }),
  opt(
    'storeEntropies',
    bool,
    '--store-entropies',
    'also store entropies in static/space/byte mode (for later repatching)',
  ),
] as const satisfies readonly OptionDef[];

/** `--model <path>` (or another flag) for the entropy model of a command, as --entropy-model. */
export function modelOption(flags = '--model <path>', help?: string): Option {
  return cliOption({ ...defOf(ENTROPY_OPTIONS, 'entropyModel'), flags }, help);
}

/** `--engine <name>`: auto, onnx or tfjs. */
export function engineOption(): Option {
  return cliOption(defOf(ENTROPY_OPTIONS, 'engine'));
}

/** The shards written, how the inputs are read, and how the run is split. */
export const OUTPUT_OPTIONS = [
  opt('format', oneOf(['parquet', 'arrow']), '--format <fmt>', 'shard file format', { default: 'parquet' }),
  opt('shardSizeBytes', size(1), '--shard-size <size>', 'target shard size (uncompressed column data)', {
    default: DEFAULT_SHARD_SIZE,
  }),
  opt('rowGroupRows', int(1), '--row-group-rows <n>', 'rows per Parquet row group', { default: 10_000 }),
  opt('workers', int(0, MAX_WORKERS), '--workers <n>', 'worker threads (default: cores; 0 = in this thread)'),
  opt('docsPerTask', int(1), '--docs-per-task <n>', 'documents per task (tasks are the unit of resume)', {
    default: DEFAULT_DOCS_PER_TASK,
  }),
  opt('taskBytes', int(1), undefined, undefined, { default: DEFAULT_TASK_BYTES }),
  opt('textField', str, '--text-field <name>', 'JSON/columnar field holding the text (default: text, else content)'),
  opt('idField', str, '--id-field <name>', `field holding the document id (default: ${ID_FIELDS})`),
  opt('lines', bool, '--lines', 'plain text: one document per line (default: one per file)'),
  opt('maxDocBytes', size(1), '--max-doc-bytes <size>', 'quarantine larger documents', {
    default: DEFAULT_MAX_DOC_BYTES,
  }),
  opt('maxLineBytes', size(1, MAX_LINE_BYTES), '--max-line-bytes <size>', MAX_LINE_HELP, { body: false }),
  opt('invalidUtf8', oneOf(['bad-record', 'replace']), '--invalid-utf8 <what>', INVALID_UTF8_HELP, {
    default: 'bad-record',
    cli: oneOf(['quarantine', 'replace']),
    cliDefault: 'quarantine',
    fromCli: (v: unknown) => (v === 'replace' ? 'replace' : 'bad-record'),
    body: false,
  }),
  opt(
    'onError',
    oneOf(['quarantine', 'fail']),
    '--on-error <what>',
    'bad records: set aside in quarantine.jsonl, or stop',
    {
      default: 'quarantine',
    },
  ),
  opt('numPartitions', int(1), '--num-partitions <n>', 'split the inputs into N disjoint partitions (job arrays)', {
    default: 1,
  }),
  opt('partitionIndex', int(0), '--partition-index <i>', 'which partition this process handles (0-based)', {
    default: 0,
  }),
  opt('cacheDir', str, '--cache-dir <dir>', CACHE_DIR_HELP, { body: false }),
] as const satisfies readonly OptionDef[];

export const PREPROCESS_OPTIONS = [
  ...PATCH_RULE_OPTIONS,
  ...ENTROPY_OPTIONS,
  ...HASHING_OPTIONS,
  ...OUTPUT_OPTIONS,
] as const satisfies readonly OptionDef[];

/** What `blt preprocess` is asked for: the inputs, the output directory and the options above. */
export type PreprocessOptions = { inputs: string[]; out: string } & OptionValues<typeof PREPROCESS_OPTIONS>;
