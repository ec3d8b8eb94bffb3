/**
 * The next token from one position's logits [V]: greedy (temperature 0: argmax) or sampled from
 * softmax(logits / temperature) restricted to the top-k logits (topK 0 = all), with the project's
 * seeded Rng (same seed → same text). Pad/BOE (0), BOS (1) and the BPE delimiter (3) are never
 * produced; EOS (2) is, and ends generation.
 */
import { BltError, badOption } from '../../core/errors.js';
import type { Rng } from '../../core/rng.js';
import { BOE_ID, BOS_ID, BPE_ID } from '../../bytes/byte-vocab.js';

export interface SampleOptions {
  /** 0 = greedy; > 0 = sampling temperature. */
  readonly temperature: number;
  /** Keep the k most likely tokens before sampling (0 = all). */
  readonly topK: number;
  /** Required when temperature > 0. */
  readonly rng?: Rng;
}

const NEVER = new Set([BOE_ID, BOS_ID, BPE_ID]);

export function checkSampleOptions(o: SampleOptions): void {
  if (!(typeof o.temperature === 'number' && Number.isFinite(o.temperature) && o.temperature >= 0))
    throw badOption('--temperature', 'a number >= 0 (0 = greedy)', o.temperature);
  if (!(Number.isInteger(o.topK) && o.topK >= 0)) throw badOption('--top-k', 'an integer >= 0 (0 = no cut)', o.topK);
}

/** logits [V] → token id. */
export function sampleToken(logits: Float32Array, o: SampleOptions): number {
  const ids: number[] = [];
  for (let i = 0; i < logits.length; i++) if (!NEVER.has(i)) ids.push(i);
  // stable order: higher logit first, lower id on ties (so greedy is deterministic)
  ids.sort((a, b) => (logits[b] as number) - (logits[a] as number) || a - b);
  if (o.temperature === 0) return ids[0] as number;
  if (!o.rng) throw new BltError('INTERNAL', 'sampleToken: temperature > 0 needs an Rng');
  const kept = o.topK > 0 ? ids.slice(0, o.topK) : ids;
  const top = logits[kept[0] as number] as number;
  const weights = kept.map((i) => Math.exp(((logits[i] as number) - top) / o.temperature));
  const total = weights.reduce((a, b) => a + b, 0);
  let u = o.rng.next() * total;
  for (let j = 0; j < kept.length; j++) {
    u -= weights[j] as number;
    if (u < 0) return kept[j] as number;
  }
  return kept[kept.length - 1] as number;
}
