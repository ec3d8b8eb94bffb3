import { BltError } from '../../core/errors.js';

/** Every id of document `doc` lies in [0, vocab), else BAD_INPUT naming the document and position. */
export function checkTokenIds(tokens: Int32Array, vocab: number, doc: number): void {
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as number;
    if (t < 0 || t >= vocab) {
      throw new BltError(
        'BAD_INPUT',
        `Document ${doc}: token ${i} is ${t}, expected an id in [0, ${vocab}).`,
        'tokens are byte + 4 with specials 0..3 (see the byte tokenizer)',
      );
    }
  }
}
