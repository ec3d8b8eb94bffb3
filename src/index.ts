/**
 * blt-toolkit's public API. Everything a user or an external check calls is exported here;
 * deep imports are not part of the contract.
 */
export { BltError, type BltErrorCode } from './core/errors.js';
export { BOE_ID, BOS_ID, EOS_ID, BPE_ID, OFFSET, VOCAB_SIZE } from './entropy/byte-vocab.js';
export { encodeBytes, decodeBytes, tokensToBytes, type EncodeOptions } from './entropy/tokenizer.js';
export { hashNgramIds, HASH_PRIMES } from './entropy/ngram-hash.js';
export { patchLengths } from './entropy/patching/patch-lengths.js';
export {
  DEFAULT_THRESHOLD,
  DEFAULT_PATCH_SIZE,
  PATCH_MODES,
  type PatchMode,
  type PatchOptions,
} from './entropy/patching/patch-options.js';
export { entropyFromLogits } from './entropy/entropy-from-logits.js';
