/** The options and summary of `blt export --format blt-arrow` (export-blt-arrow.ts), and its defaults. */

/** The reference's defaults: `DataloaderArgs.entropy_model_name`, `split -C 2500m`, `arrow_batch_size = 1_000`. */
export const DEFAULT_ENTROPY_MODEL_NAME = 'transformer_100m';
export const DEFAULT_EXPORT_SHARD_BYTES = 2500 * 2 ** 20;
export const EXPORT_BATCH_ROWS = 1000;
export const EXPORT_FILE = 'export.json';

export interface ExportOptions {
  /** the new directory */
  out: string;
  /** the dataset name (the `sources` key of the trainer's config); default: the set's directory name */
  dataset?: string;
  /** the folder under `<preprocess_dir>/<dataset>/`; default transformer_100m (the reference's default) */
  entropyModelName?: string;
  /** chunk files (the trainer needs world_size % chunks == 0; more chunks than ranks are ignored by it) */
  chunks?: number;
  /** start a new Arrow shard once its documents' JSON lines reach this many bytes */
  shardSizeBytes?: number;
  /** rows per record batch (default 1000, as the reference) */
  batchRows?: number;
  /** replace an existing `out` */
  force?: boolean;
  /** skip documents whose bytes are not valid UTF-8 (listed in the summary) instead of failing */
  skipInvalidUtf8?: boolean;
  /** after every record batch */
  onProgress?: (p: { documents: number; total: number }) => void;
}

export interface ExportedFile {
  file: string;
  rows: number;
  bytes: number;
  sha256: string;
}

export interface ExportSummary {
  format: 'blt-arrow';
  source: string;
  out: string;
  dataset: string;
  entropyModelName: string;
  documents: number;
  tokens: number;
  chunks: Array<{ jsonl: string; documents: number; shards: ExportedFile[] }>;
  skipped: Array<{ sampleId: string; source: string; reason: string }>;
  /** the trainer's `data:` settings for this layout */
  trainerConfig: {
    root_dir: string;
    sources: Record<string, number>;
    preprocess_dir: string;
    entropy_model_name: string;
    patcher_args: Record<string, unknown>;
  };
}
