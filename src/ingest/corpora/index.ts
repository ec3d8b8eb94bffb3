export type { CorpusDoc } from './types.js';
export { udhrDocuments, type UdhrDoc } from './udhr.js';
export { brownDocuments, BROWN_GENRES, type BrownDoc } from './brown.js';
export { splitHeldOut, isHeldOut, DEFAULT_HELD_OUT, type SplitOptions } from './held-out-split.js';
export {
  multilingualDocuments,
  multilingualCorpusDir,
  multilingualSplitPath,
  MULTILINGUAL_CORPUS,
  type MultilingualDoc,
  type CorpusSplit,
} from './multilingual.js';
export {
  splitCorpus,
  dedupCorpus,
  debianLangTag,
  CORPUS_SPLIT,
  type SourceDoc,
  type SplitDoc,
} from './multilingual-build.js';
export { renderManPage, cleanRenderedManPage, isManStub } from './man-page-text.js';
export { referenceSections, htmlBlocksToText } from './debian-reference-text.js';
