/** The help text of every --model / --entropy-model flag (resolution: src/entropy/model-format/resolve-model.ts). */
export const MODEL_PATH_HELP =
  'a model or `blt entropy train --out` directory, a checkpoint, an n-gram file (.ngram) or a directory ' +
  'holding model.ngram';
