/**
 * The reference's byte tokenizer (bytelatent/tokenizers/blt_tokenizer.py):
 * text → [BOS] + (utf8 byte + 4)... + [EOS], and back.
 */
import { BltError, describeValue } from '../core/errors.js';
import { BOS_ID, EOS_ID, OFFSET, VOCAB_SIZE } from './byte-vocab.js';
import { utf8DecodeIgnore, utf8EncodeIgnore } from './utf8.js';

export interface EncodeOptions {
  /** prepend BOS (default true, as the reference tokenizer) */
  bos?: boolean;
  /** append EOS (default true, as the reference tokenizer) */
  eos?: boolean;
}

/** text or raw bytes → token ids [n + bos + eos]. Strings lose unpaired surrogates, as in Python. */
export function encodeBytes(text: string | Uint8Array, opts: EncodeOptions = {}): Int32Array {
  const bos = opts.bos ?? true;
  const eos = opts.eos ?? true;
  let bytes: Uint8Array;
  if (typeof text === 'string') bytes = utf8EncodeIgnore(text);
  else if (text instanceof Uint8Array) bytes = text;
  else throw new BltError('BAD_OPTION', `Expected text to be a string or a Uint8Array, got ${describeValue(text)}.`);
  const start = bos ? 1 : 0;
  const out = new Int32Array(bytes.length + start + (eos ? 1 : 0));
  if (bos) out[0] = BOS_ID;
  for (let i = 0; i < bytes.length; i++) out[start + i] = (bytes[i] as number) + OFFSET;
  if (eos) out[out.length - 1] = EOS_ID;
  return out;
}

/** token ids → the bytes they stand for; special ids (< 4) are dropped. */
export function tokensToBytes(tokens: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(tokens.length);
  let n = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as number;
    if (!Number.isInteger(t) || t < 0 || t >= VOCAB_SIZE) {
      throw new BltError(
        'BAD_INPUT',
        `Expected token ids to be integers in [0, ${VOCAB_SIZE}), got ${describeValue(t)} at index ${i}.`,
      );
    }
    if (t >= OFFSET) out[n++] = t - OFFSET;
  }
  return out.subarray(0, n);
}

/** token ids → text: specials dropped, invalid UTF-8 dropped (Python `errors="ignore"`). */
export function decodeBytes(tokens: ArrayLike<number>): string {
  return utf8DecodeIgnore(tokensToBytes(tokens));
}
