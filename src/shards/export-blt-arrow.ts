/**
 * `blt export --format blt-arrow`: a shard set → the layout the reference trainer
 * (facebookresearch/blt) reads with `ArrowFileIterator` (docs/reference.md §2.4).
 *
 *   <out>/data/<dataset>/<dataset>.chunk.<CC>.jsonl            the chunk files the loader globs
 *                                                               (`*.chunk.*.jsonl`) to enumerate chunks;
 *                                                               one {"sample_id", "text"} line per document
 *   <out>/preprocess/<dataset>/<entropy-model-name>/
 *        <dataset>.chunk.<CC>.jsonl.shard_<SS>.arrow           Arrow IPC files (Feather v2, uncompressed),
 *        <dataset>.chunk.<CC>.jsonl.shard_<SS>.arrow.complete  record batches of 1000 rows, schema
 *                                                               sample_id: string not null,
 *                                                               text: string not null,
 *                                                               entropies: list<float16> not null
 *   <out>/export.json                                          what was exported, and the trainer's data config
 *
 * `entropies` are the stored float32 entropies rounded to float16 as numpy does (one per token
 * including BOS and EOS: index 0 is the entropy after BOS, the last one the entropy at EOS, as
 * `preprocess_entropies.py` writes them). The reference re-derives the tokens from `text` at load
 * time (`BltTokenizer.encode`: BOS + UTF-8 bytes + EOS), so `text` must be valid UTF-8: a document
 * with invalid bytes cannot be represented and is refused (or skipped and listed with
 * `skipInvalidUtf8`). The output directory is built next to `out` and moved into place at the
 * end, so an interrupted export leaves no partial layout behind.
 */
import { mkdir, open, rm, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type * as arrow from 'apache-arrow';
import { tempSiblingPath, replaceDirAtomic } from '../core/atomic.js';
import { BltError } from '../core/errors.js';
import { requireInt } from '../core/validate.js';
import { arrowFileChunks } from './arrow-format.js';
import { writeFileDurably } from './durable-file.js';
import { readManifest, type Manifest } from './manifest.js';
import { readShardSet } from './reader.js';
import type { ShardRow } from './row.js';
import { toFloat16Array } from './export-float16.js';
import { bltArrowBatch, type ExportRow } from './blt-arrow-batch.js';
import { checkName, checkOut, NAME_RE } from './export-blt-arrow-checks.js';
import {
  DEFAULT_ENTROPY_MODEL_NAME,
  DEFAULT_EXPORT_SHARD_BYTES,
  EXPORT_BATCH_ROWS,
  EXPORT_FILE,
  type ExportedFile,
  type ExportOptions,
  type ExportSummary,
} from './export-blt-arrow-options.js';

const pad2 = (k: number): string => String(k).padStart(2, '0');
/** `<dataset>.chunk.<CC>.jsonl` (the loader's `*.chunk.*.jsonl`). */
export const chunkFileName = (dataset: string, chunk: number): string => `${dataset}.chunk.${pad2(chunk)}.jsonl`;
/** `<chunk file>.shard_<SS>.arrow` (`split -d` numbering; the loader sorts by the integer). */
export const shardArrowName = (chunkFile: string, shard: number): string => `${chunkFile}.shard_${pad2(shard)}.arrow`;

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const encoder = new TextEncoder();

/** Exports the complete shard set `source` in the reference's Arrow layout. */
export async function exportBltArrow(source: string, o: ExportOptions): Promise<ExportSummary> {
  const manifest: Manifest = await readManifest(source);
  const first = manifest.shards[0];
  const dataset = checkName(
    'export',
    '--dataset',
    o.dataset ?? (NAME_RE.test(basename(resolve(source))) ? basename(resolve(source)) : 'dataset'),
  );
  const modelName = checkName(
    'preprocess directory',
    '--entropy-model-name',
    o.entropyModelName ?? DEFAULT_ENTROPY_MODEL_NAME,
  );
  const total = manifest.totals.documents;
  const chunks = requireInt('chunks', o.chunks ?? 1, 1, 10_000);
  const shardBytes = requireInt('shardSizeBytes', o.shardSizeBytes ?? DEFAULT_EXPORT_SHARD_BYTES, 1);
  const batchRows = requireInt('batchRows', o.batchRows ?? EXPORT_BATCH_ROWS, 1, 1 << 20);
  if (total === 0) throw new BltError('BAD_INPUT', `${source} holds no documents; there is nothing to export.`);
  if (chunks > total)
    throw new BltError(
      'BAD_OPTION',
      `Expected --chunks to be at most the number of documents (${total}), got ${chunks}.`,
      'every chunk needs at least one document',
    );
  const hasEntropies = first !== undefined && (await firstRowHasEntropies(source));
  if (!hasEntropies) {
    const mode = (manifest.config.process as { patching?: { mode?: string } } | undefined)?.patching?.mode ?? 'unknown';
    throw new BltError(
      'SHARD_FORMAT',
      `${source} stores no entropies (it was made in ${mode} mode); the reference's layout needs one ` +
        `entropy per token.`,
      'preprocess again in entropy mode, or with --store-entropies in another mode (blt repatch can then ' +
        'change the patching)',
    );
  }
  await checkOut(source, o.out, o.force === true);

  const tmp = tempSiblingPath(resolve(o.out));
  const dataDir = join(tmp, 'data', dataset);
  const preDir = join(tmp, 'preprocess', dataset, modelName);
  await mkdir(dataDir, { recursive: true });
  await mkdir(preDir, { recursive: true });
  const summary: ExportSummary = {
    format: 'blt-arrow',
    source,
    out: o.out,
    dataset,
    entropyModelName: modelName,
    documents: 0,
    tokens: 0,
    chunks: [],
    skipped: [],
    trainerConfig: {
      root_dir: join(resolve(o.out), 'data'),
      sources: { [dataset]: 1.0 },
      preprocess_dir: join(resolve(o.out), 'preprocess'),
      entropy_model_name: modelName,
      patcher_args: patcherArgsOf(manifest),
    },
  };
  try {
    const rows = readShardSet(source, { columns: ['entropies'] })[Symbol.asyncIterator]();
    let index = 0; // rows read so far (exported or skipped)
    for (let c = 0; c < chunks; c++) {
      const end = Math.floor(((c + 1) * total) / chunks);
      const jsonlName = chunkFileName(dataset, c);
      const jsonl = await open(join(dataDir, jsonlName), 'w');
      const chunk = { jsonl: `data/${dataset}/${jsonlName}`, documents: 0, shards: [] as ExportedFile[] };
      try {
        for (let s = 0; index < end; s++) {
          const name = shardArrowName(jsonlName, s);
          let rowsInShard = 0;
          let bytes = 0;
          const batches = async function* (): AsyncGenerator<arrow.RecordBatch> {
            let buf: ExportRow[] = [];
            let lines: Uint8Array[] = [];
            const flushLines = async (): Promise<void> => {
              if (lines.length > 0) await jsonl.write(Buffer.concat(lines));
              lines = [];
            };
            while (index < end && bytes < shardBytes) {
              const next = await rows.next();
              if (next.done)
                throw new BltError(
                  'SHARD_FORMAT',
                  `${source}: index.json lists ${total} documents, the shards hold ${index}.`,
                  `run blt verify ${source}`,
                );
              index++;
              const row = next.value;
              const text = textOf(row);
              if (text === null) {
                if (!o.skipInvalidUtf8) {
                  throw new BltError(
                    'BAD_INPUT',
                    `Document ${JSON.stringify(row.docId)} (${row.source}) is not valid UTF-8; the ` +
                      `reference's \`text: string\` column cannot hold its bytes, and its entropies would not ` +
                      `match the tokens the trainer derives from the text.`,
                    'pass --skip-invalid-utf8 to leave such documents out (they are listed in export.json)',
                  );
                }
                summary.skipped.push({ sampleId: row.docId, source: row.source, reason: 'invalid UTF-8' });
                continue;
              }
              const line = `${JSON.stringify({ sample_id: row.docId, text })}\n`;
              const lineBytes = encoder.encode(line);
              lines.push(lineBytes);
              bytes += lineBytes.length;
              buf.push({
                id: encoder.encode(row.docId),
                text: row.bytes,
                entropies: toFloat16Array(row.entropies as Float32Array),
              });
              rowsInShard++;
              summary.tokens += row.nTokens;
              if (buf.length === batchRows) {
                await flushLines();
                yield bltArrowBatch(buf);
                buf = [];
                o.onProgress?.({ documents: index, total });
              }
            }
            await flushLines();
            if (buf.length > 0) yield bltArrowBatch(buf);
            o.onProgress?.({ documents: index, total });
          };
          const path = join(preDir, name);
          const written = await writeFileDurably(path, arrowFileChunks(batches()));
          if (rowsInShard === 0) {
            // every document of this run was skipped: no empty shard file (the loader would read a schema-less file)
            await rm(path, { force: true });
            s--;
            continue;
          }
          await writeFile(`${path}.complete`, '');
          chunk.shards.push({
            file: `preprocess/${dataset}/${modelName}/${name}`,
            rows: rowsInShard,
            bytes: written.bytes,
            sha256: written.sha256,
          });
          chunk.documents += rowsInShard;
        }
        await jsonl.sync();
      } finally {
        await jsonl.close();
      }
      if (chunk.documents === 0)
        throw new BltError(
          'BAD_INPUT',
          `Chunk ${c} of the export would hold no documents (all were skipped).`,
          'export with fewer --chunks',
        );
      summary.documents += chunk.documents;
      summary.chunks.push(chunk);
    }
    await writeFile(
      join(tmp, EXPORT_FILE),
      JSON.stringify(
        { ...summary, out: undefined, manifest: { fingerprints: manifest.fingerprints, totals: manifest.totals } },
        null,
        2,
      ) + '\n',
    );
    await replaceDirAtomic(tmp, resolve(o.out));
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
  return summary;
}

/** The document's text, or null when its bytes are not valid UTF-8. */
function textOf(row: ShardRow): string | null {
  try {
    return utf8.decode(row.bytes);
  } catch {
    return null;
  }
}

async function firstRowHasEntropies(source: string): Promise<boolean> {
  for await (const row of readShardSet(source, { checksums: false })) return row.entropies !== undefined;
  return false;
}

/** The patching settings of the set, as the reference's `PatcherArgs` fields (a hint for the trainer's config). */
function patcherArgsOf(m: Manifest): Record<string, unknown> {
  const p = ((m.config.process as { patching?: Record<string, unknown> } | undefined)?.patching ?? {}) as Record<
    string,
    unknown
  >;
  const out: Record<string, unknown> = { patching_mode: p.mode ?? 'entropy' };
  if (p.threshold !== undefined) out.threshold = p.threshold;
  if (p.thresholdAdd !== undefined && p.thresholdAdd !== null) out.threshold_add = p.thresholdAdd;
  if (p.monotonicity !== undefined) out.monotonicity = p.monotonicity;
  if (p.maxPatchLength !== undefined && p.maxPatchLength !== null) out.max_patch_length = p.maxPatchLength;
  return out;
}
