export type { CorpusDoc } from './types.js';
export { udhrDocuments, type UdhrDoc } from './udhr.js';
export { brownDocuments, BROWN_GENRES, type BrownDoc } from './brown.js';
export { splitHeldOut, isHeldOut, DEFAULT_HELD_OUT, type SplitOptions } from './held-out-split.js';
