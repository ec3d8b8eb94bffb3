import { OFFSET } from '../../bytes/byte-vocab.js';
import type { NgramModel } from './model.js';
import { ngramLogProbs } from './score.js';

/** Held-out evaluation totals. */
export interface NgramEvaluation {
  /** total cross-entropy in bits of every predicted token (bytes and EOS) / number of bytes */
  readonly bitsPerByte: number;
  /** same total in nats per predicted token */
  readonly natsPerToken: number;
  readonly documents: number;
  readonly bytes: number;
  readonly predictedTokens: number;
}

/**
 * Bits per byte of a model on documents ([BOS, bytes..., EOS]): every token after the first
 * is predicted (bytes and EOS), and the summed cost is divided by the number of bytes, so
 * the EOS cost is charged to the document's bytes (as byte-level LM evaluations usually do).
 */
export function ngramBitsPerByte(model: NgramModel, docs: Iterable<Int32Array>): NgramEvaluation {
  let nats = 0;
  let bytes = 0;
  let predicted = 0;
  let documents = 0;
  for (const doc of docs) {
    const lp = ngramLogProbs(model, doc);
    for (let i = 0; i < lp.length; i++) nats -= lp[i] as number;
    for (let i = 0; i < doc.length; i++) if ((doc[i] as number) >= OFFSET) bytes++;
    predicted += lp.length;
    documents++;
  }
  return {
    bitsPerByte: bytes > 0 ? nats / Math.LN2 / bytes : 0,
    natsPerToken: predicted > 0 ? nats / predicted : 0,
    documents,
    bytes,
    predictedTokens: predicted,
  };
}
