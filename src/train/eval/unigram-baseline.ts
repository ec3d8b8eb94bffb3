/**
 * The unigram baseline of a run: add-one byte (and EOS) frequencies of the training sets' documents
 * scored on the validation sets' documents (src/entropy/eval/unigram.ts). A model that does not go
 * clearly below it has learned nothing contextual. Reads at most `maxBytes` of training text.
 */
import { evaluateBitsPerByte } from '../../entropy/eval/bits-per-byte.js';
import { unigramLogProbs, unigramScorer } from '../../entropy/eval/unigram.js';
import { readShardSet } from '../../shards/reader.js';

async function documents(dirs: readonly string[], maxBytes: number): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  let total = 0;
  for (const dir of dirs) {
    for await (const row of readShardSet(dir, { columns: [] })) {
      out.push(row.bytes.slice());
      total += row.bytes.length;
      if (total >= maxBytes) return out;
    }
  }
  return out;
}

/** Unigram bits per byte of `val` under the byte frequencies of `train`; null without validation data. */
export async function unigramBitsPerByte(
  train: readonly string[],
  val: readonly string[],
  maxBytes = 32 << 20,
): Promise<number | null> {
  if (val.length === 0) return null;
  const logp = unigramLogProbs(await documents(train, maxBytes));
  const r = await evaluateBitsPerByte(unigramScorer(logp), await documents(val, maxBytes));
  return r.bitsPerByte;
}
