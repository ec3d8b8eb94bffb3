/**
 * The reference's byte vocabulary (bytelatent/tokenizers/constants.py): token = byte + 4,
 * four special ids below, 260 ids in all.
 */
export const BOE_ID = 0; // begin-of-entity; also the pad id inside batches
export const BOS_ID = 1;
export const EOS_ID = 2;
export const BPE_ID = 3;
export const OFFSET = 4;
const BYTE_UNITS = 256;
export const VOCAB_SIZE = BYTE_UNITS + OFFSET; // 260
