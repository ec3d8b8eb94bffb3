/**
 * Test oracle: a transcription of how the reference trainer (facebookresearch/blt) finds and
 * reads preprocessed Arrow files — `bytelatent/args.py` (`find_and_sanitize_chunks`,
 * `distribute_data_to_rank`) and `bytelatent/data/iterators/arrow_iterator.py`
 * (`ArrowFileIterator.__init__` / `create_iter`, `shard_sort_key`) — step for step, with
 * apache-arrow in place of pyarrow. It checks what the Python code checks (assertions and
 * errors become thrown Errors) and yields what `create_iter` yields.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import * as arrow from 'apache-arrow';

export interface ReferenceDataArgs {
  root_dir: string;
  sources: Record<string, number>;
  preprocess_dir: string;
  entropy_model_name: string;
}

export interface BltExample {
  sample_id: string;
  text: string;
  /** `to_pydict()` of a list<float16> column: Python floats */
  entropies: number[];
}

/** fsspec's glob of `dir/<prefix>*<suffix>` (one `*`, no recursion), sorted as fsspec returns it. */
function glob(dir: string, prefix: string, suffix: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => n.startsWith(prefix) && n.endsWith(suffix) && n.length >= prefix.length + suffix.length)
    .sort()
    .map((n) => join(dir, n));
}

/** `find_and_sanitize_chunks(dataset_path, world_size, "*.chunk.*.jsonl")`. */
export function findAndSanitizeChunks(datasetPath: string, worldSize: number): string[] {
  let chunks = (existsSync(datasetPath) ? readdirSync(datasetPath) : [])
    .filter((n) => /^.*\.chunk\..*\.jsonl$/.test(n))
    .sort()
    .map((n) => join(datasetPath, n));
  const n = chunks.length;
  if (n > worldSize) chunks = chunks.slice(0, worldSize);
  else if (worldSize % n !== 0) throw new Error('AssertionError: World size should be a multiple of number of chunks');
  if (n === 0) throw new Error(`AssertionError: No valid chunks in ${datasetPath}`);
  return chunks;
}

/** `shard_sort_key`. */
function shardSortKey(file: string): number {
  const m = /.+\.shard_([0-9]+)\.arrow/.exec(file);
  if (!m) throw new Error(`AttributeError: no shard number in ${file}`);
  return Number.parseInt(m[1] as string, 10);
}

/** `ArrowFileIterator(file_path=chunk, dataset_files=None, ...)`: the shard files it would read, in order. */
export function arrowFilesOfChunk(jsonlFile: string, preprocessDir: string, entropyModelName: string): string[] {
  const parts = /^(.+)\.chunk\.[0-9]+\.jsonl/.exec(basename(jsonlFile));
  if (!parts) throw new Error('AssertionError: parts is not None');
  const dataset = parts[1] as string;
  const dataDir = join(preprocessDir, dataset, entropyModelName);
  const shardFiles = glob(dataDir, `${basename(jsonlFile)}.shard_`, '.arrow');
  for (const s of shardFiles) {
    if (!existsSync(join(dataDir, `${basename(s)}.complete`)))
      throw new Error(`ValueError: Missing .complete for input file: ${s}`);
  }
  const sorted = [...shardFiles].sort((a, b) => shardSortKey(a) - shardSortKey(b));
  if (sorted.length === 0) throw new Error(`ByteLatentError: Zero shard_files found corresponding to: ${jsonlFile}`);
  return sorted;
}

/** A utf8 value as pyarrow gives it to Python: every code point, a leading U+FEFF included (apache-arrow's `get` drops it). */
function pyString(d: arrow.Data<arrow.Utf8>, i: number): string {
  const o = d.valueOffsets;
  return new TextDecoder('utf-8', { ignoreBOM: true }).decode(
    (d.values as Uint8Array).subarray(o[i] as number, o[i + 1] as number),
  );
}

/** `create_iter`: the rows of the files in order (`pa.dataset(files, format="arrow").to_batches()`), worker w of W. */
export function* readArrowRows(files: readonly string[], workerId = 0, numWorkers = 1): Generator<BltExample> {
  let rowNum = 0;
  for (const f of files) {
    const table = arrow.tableFromIPC(readFileSync(f));
    for (const batch of table.batches) {
      const ids = batch.getChild('sample_id');
      const texts = batch.getChild('text');
      const ent = batch.getChild('entropies');
      if (!ids || !texts || !ent) throw new Error(`KeyError: ${f} lacks sample_id, text or entropies`);
      for (let i = 0; i < batch.numRows; i++) {
        rowNum++;
        if ((rowNum - 1) % numWorkers !== workerId) continue;
        const e = ent.get(i) as arrow.Vector<arrow.Float16>;
        yield {
          sample_id: ids.get(i) as string,
          text: pyString(texts.data[0] as arrow.Data<arrow.Utf8>, i),
          entropies: Array.from(e.toArray() as Float32Array | Uint16Array, (_, k) => e.get(k) as number),
        };
      }
    }
  }
}

/** Every example rank `rank` of `worldSize` reads from one source (`distribute_data_to_rank`). */
export function* referenceRankExamples(
  a: ReferenceDataArgs,
  source: string,
  rank: number,
  worldSize: number,
): Generator<BltExample> {
  const chunks = findAndSanitizeChunks(join(a.root_dir, source), worldSize);
  const perChunk = Math.floor(worldSize / chunks.length);
  const params: Array<{ chunk: string; worker: number }> = [];
  for (const chunk of chunks) for (let w = 0; w < perChunk; w++) params.push({ chunk, worker: w });
  const p = params[rank];
  if (!p) throw new Error(`IndexError: rank ${rank} of ${params.length} iterators`);
  yield* readArrowRows(arrowFilesOfChunk(p.chunk, a.preprocess_dir, a.entropy_model_name), p.worker, perChunk);
}

/** `BltTokenizer.encode(text)`: BOS, UTF-8 bytes (errors="ignore") + 4, EOS. */
export function referenceEncode(text: string): number[] {
  const clean = text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '');
  return [1, ...Array.from(new TextEncoder().encode(clean), (b) => b + 4), 2];
}
