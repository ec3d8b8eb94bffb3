export type { NgramModel } from './model.js';
export { trainNgramModel, DEFAULT_NGRAM_ORDER, MAX_NGRAM_ORDER, type NgramTrainOptions } from './train.js';
export { ngramEntropies, ngramLogProbs, ngramNextDistribution } from './score.js';
export { ngramBitsPerByte, type NgramEvaluation } from './evaluate.js';
export { saveNgramModel, loadNgramModel, ngramModelFromBytes } from './model-io.js';
export { encodeNgramModel, NGRAM_MAGIC, NGRAM_FORMAT_VERSION } from './file-format.js';
