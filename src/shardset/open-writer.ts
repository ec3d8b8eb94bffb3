/** The shard writer of a run's output directory, with the columns and layout its configuration asks for. */
import { ShardWriter } from '../shards/shard-writer.js';
import type { ShardColumnsSpec } from '../shards/schema.js';
import type { PreprocessConfig } from '../preprocess/config.js';
import type { CompletionWriter } from './completions.js';

export function columnsOf(c: PreprocessConfig): ShardColumnsSpec {
  const ng = c.process.ngrams;
  const ngramTables = [];
  if (ng)
    for (let f = 0; f < ng.functions; f++)
      for (const g of ng.sizes) ngramTables.push({ groupSize: g, hashFunction: f });
  return { entropies: c.process.entropy !== null, patchLengths: true, ngramTables };
}

/**
 * The writer, fresh or resumed from its saved state; it fsyncs `completions` before each durable
 * commit (once per shard).
 */
export function openRunWriter(c: PreprocessConfig, completions: CompletionWriter): Promise<ShardWriter> {
  return ShardWriter.open({
    dir: c.out,
    columns: columnsOf(c),
    format: c.format,
    shardSizeBytes: c.shardSizeBytes,
    rowGroupRows: c.rowGroupRows,
    beforeDurableCommit: () => completions.sync(),
  });
}
