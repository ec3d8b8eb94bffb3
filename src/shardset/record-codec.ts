/**
 * The shard-set records (`run.json`, `completions/task-NNNNNN.json`) as states of the contract
 * (src/core/state.ts). Their files carry no tag: the file's name fixes the kind, and the version
 * is 1, the format written before the contract, so existing directories (unfinished runs, cached
 * sets, repatch sources) still read. The tag is implied when reading; the files stay byte-identical.
 */
import { readFile } from 'node:fs/promises';
import { stateError, type StateCodec } from '../core/state.js';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Decodes an untagged record with `codec` (its tag implied); the result holds no tag either. */
export function decodeUntagged<S>(codec: StateCodec<S, unknown, unknown>, value: unknown, where: string): S {
  const { kind, version } = codec.schema;
  return codec.decode(isObject(value) ? { kind, v: version, ...value } : value, where);
}

/** Parses and decodes the text of the untagged record at `path`; STATE_FORMAT when it does not. */
export function parseRecord<S>(codec: StateCodec<S, unknown, unknown>, text: string, path: string): S {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const site = { label: codec.schema.label, where: path, path: '' };
    throw stateError(site, `expected JSON, got text that does not parse (${(err as Error).message})`);
  }
  return decodeUntagged(codec, value, path);
}

/** Reads and decodes the untagged record at `path`. */
export async function readRecord<S>(codec: StateCodec<S, unknown, unknown>, path: string): Promise<S> {
  return parseRecord(codec, await readFile(path, 'utf8'), path);
}

/** `r.o` without the implied tag, in the file's key order. */
export function untagged(o: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const { kind: _kind, v: _v, ...rest } = o;
  return rest;
}
