import { readFile } from 'node:fs/promises';
import { BltError } from '../core/errors.js';

export interface InputDoc {
  id: string;
  bytes: Uint8Array;
}

export interface InputSpec {
  /** words of text given on the command line ('-' alone = stdin) */
  text: string[];
  file?: string;
  /** one document per line (the line terminator is not part of the document) */
  lines?: boolean;
}

async function readStdin(): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return new Uint8Array(Buffer.concat(chunks));
}

function splitLines(bytes: Uint8Array, source: string): InputDoc[] {
  const docs: InputDoc[] = [];
  let start = 0;
  let line = 1;
  for (let i = 0; i <= bytes.length; i++) {
    if (i === bytes.length || bytes[i] === 0x0a) {
      let end = i;
      if (end > start && bytes[end - 1] === 0x0d) end--;
      if (end > start) docs.push({ id: `${source}:${line}`, bytes: bytes.subarray(start, end) });
      start = i + 1;
      line++;
    }
  }
  return docs;
}

/** Text on the command line, a file (bytes as they are) or stdin → documents. */
export async function readInputDocs(spec: InputSpec): Promise<InputDoc[]> {
  let bytes: Uint8Array;
  let source: string;
  if (spec.file !== undefined) {
    if (spec.text.length > 0) throw new BltError('BAD_OPTION', 'Expected either text arguments or --file, got both.');
    try {
      bytes = new Uint8Array(await readFile(spec.file));
    } catch (err) {
      throw new BltError('NOT_FOUND', `Cannot read --file ${spec.file}: ${(err as Error).message}`);
    }
    source = spec.file;
  } else if (spec.text.length === 0 || (spec.text.length === 1 && spec.text[0] === '-')) {
    if (process.stdin.isTTY) {
      throw new BltError(
        'BAD_OPTION',
        'Expected text to patch, got none.',
        'pass the text as an argument, --file <path>, or pipe it on stdin',
      );
    }
    bytes = await readStdin();
    source = 'stdin';
  } else {
    bytes = new TextEncoder().encode(spec.text.join(' '));
    source = 'argv';
  }
  return spec.lines ? splitLines(bytes, source) : [{ id: source, bytes }];
}
