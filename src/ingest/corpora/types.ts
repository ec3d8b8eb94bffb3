/** One document of a bundled corpus: a stable id, a language tag (BCP 47) and clean text. */
export interface CorpusDoc {
  /** stable across versions of this toolkit: `udhr:<code>`, `brown:<file>` */
  readonly id: string;
  /** BCP 47 tag as the corpus gives it (`und` when unknown) */
  readonly lang: string;
  /** clean running text, paragraphs separated by `\n`, no markup */
  readonly text: string;
}
