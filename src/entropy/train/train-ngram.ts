/**
 * `--kind ngram`: trains the n-gram entropy model (src/entropy/ngram, interpolated modified
 * Kneser–Ney) on the training documents, writes its file and measures held-out bits per byte
 * with the same split and definition as the transformer (eval/bits-per-byte.ts). Seconds, not hours.
 */
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { evaluateBitsPerByte, type BitsPerByte } from '../eval/bits-per-byte.js';
import { unigramLogProbs, unigramScorer } from '../eval/unigram.js';
import { saveNgramModel } from '../ngram/model-io.js';
import { ngramLogProbs } from '../ngram/score.js';
import { trainNgramModel } from '../ngram/train.js';
import { documentTokens } from './pack.js';
import type { TrainData } from './train-loop.js';

export interface NgramTrainResult {
  readonly path: string;
  readonly fingerprint: string;
  readonly order: number;
  readonly heldOut: BitsPerByte | null;
  readonly unigramBpb: number | null;
  readonly trainSeconds: number;
}

export async function trainNgramEntropyModel(data: TrainData, order: number, path: string): Promise<NgramTrainResult> {
  const t0 = performance.now();
  const model = trainNgramModel(data.train.map(documentTokens), { order });
  const trainSeconds = (performance.now() - t0) / 1000;
  await mkdir(dirname(path), { recursive: true });
  const fingerprint = saveNgramModel(path, model);
  if (data.val.length === 0) return { path, fingerprint, order, heldOut: null, unigramBpb: null, trainSeconds };
  const heldOut = await evaluateBitsPerByte(async (docs) => docs.map((d) => ngramLogProbs(model, d)), data.val);
  const unigramBpb = (await evaluateBitsPerByte(unigramScorer(unigramLogProbs(data.train)), data.val)).bitsPerByte;
  return { path, fingerprint, order, heldOut, unigramBpb, trainSeconds };
}
