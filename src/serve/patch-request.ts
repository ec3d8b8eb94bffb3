/**
 * `POST /v1/patch` request bodies → a validated PatchRequest. One document (`text` or base64
 * `bytes`) or a batch (`documents`: strings or `{id?, text | bytes}`), the options of
 * `patchLengths` (mode, threshold, thresholdAdd, monotonicity, maxPatchLength, patchSize,
 * includeNextToken) and of the hashed n-gram ids (`ngram`: true | false | {sizes, functions, vocab}).
 */
import { BltError, describeValue } from '../core/errors.js';
import { resolvePatchOptions, type PatchMode } from '../patching/patch-options.js';
import type { NgramSettings } from '../preprocess/settings.js';
import { checkDistinctSizes, DEFAULT_HASH_VOCAB, DEFAULT_NGRAM_SIZES, HASHING_OPTIONS } from '../options/hashing.js';
import { bodyValue, defOf, type OptionDef } from '../options/option-def.js';
import { PATCHING_OPTIONS, type PatchingValues } from '../options/patching.js';
import {
  decodeBase64,
  expectObject,
  optBool,
  optString,
  parseBody,
  rejectUnknown,
  type JsonObject,
} from './body-fields.js';

export interface PatchDoc {
  id?: string;
  bytes: Uint8Array;
}

/** The patching options of a request, with the rule's booleans filled in. */
export type PatchSettings = Omit<PatchingValues, 'mode' | 'monotonicity' | 'includeNextToken'> & {
  mode: PatchMode;
  monotonicity: boolean;
  includeNextToken: boolean;
};

export interface PatchRequest {
  docs: PatchDoc[];
  /** `documents` was given: answer with a list */
  batch: boolean;
  patching: PatchSettings;
  ngram: NgramSettings | null;
  /** run the entropy model (entropy mode always; other modes with `entropies: true`) */
  score: boolean;
  /** per-patch printable text (renderPatch) in the response */
  segments: boolean;
}

export interface PatchLimits {
  /** most documents in one batch */
  maxDocuments: number;
}

export const PATCH_FIELDS = [
  'text',
  'bytes',
  'documents',
  ...PATCHING_OPTIONS.map((d) => d.key),
  'ngram',
  'entropies',
  'segments',
] as const;
const NGRAM_FIELDS = ['sizes', 'functions', 'vocab'] as const;
const DOC_FIELDS = ['id', 'text', 'bytes'] as const;

function docFrom(v: unknown, i: number): PatchDoc {
  if (typeof v === 'string') return { bytes: new TextEncoder().encode(v) };
  const o = expectObject(v, `documents[${i}] (a string or {id?, text | bytes})`);
  rejectUnknown(o, DOC_FIELDS, `documents[${i}]`);
  const id = optString(o, 'id');
  return { ...(id === undefined ? {} : { id }), bytes: oneText(o, `documents[${i}]`) };
}

function oneText(o: JsonObject, where: string): Uint8Array {
  if (o.text !== undefined && o.bytes !== undefined)
    throw new BltError('BAD_INPUT', `Expected either \`text\` or \`bytes\` in ${where}, got both.`);
  if (o.text !== undefined) {
    if (typeof o.text !== 'string')
      throw new BltError(
        'BAD_INPUT',
        `Expected \`text\` in ${where} to be a string, got ${describeValue(o.text)}.`,
        'send raw bytes as base64 in `bytes`',
      );
    return new TextEncoder().encode(o.text);
  }
  if (o.bytes !== undefined) return decodeBase64('bytes', o.bytes);
  throw new BltError('BAD_INPUT', `Expected \`text\` (a string) or \`bytes\` (base64) in ${where}, got neither.`);
}

function ngramFrom(v: unknown): NgramSettings | null {
  if (v === undefined || v === false) return null;
  if (v === true) return { sizes: [...DEFAULT_NGRAM_SIZES], functions: 1, vocab: DEFAULT_HASH_VOCAB };
  const o = expectObject(v, '`ngram` (false, true or {sizes, functions, vocab})');
  rejectUnknown(o, NGRAM_FIELDS, '`ngram`');
  // the hashing options under their short names
  const named = (key: string, field: string): OptionDef => ({ ...defOf(HASHING_OPTIONS, key), key: field });
  const sizes = (bodyValue(o, named('ngramSizes', 'sizes')) as number[] | undefined) ?? [...DEFAULT_NGRAM_SIZES];
  checkDistinctSizes(sizes);
  return {
    sizes,
    functions: (bodyValue(o, named('hashFunctions', 'functions')) as number | undefined) ?? 1,
    vocab: (bodyValue(o, named('hashVocab', 'vocab')) as number | undefined) ?? DEFAULT_HASH_VOCAB,
  };
}

export function parsePatchRequest(body: unknown, limits: PatchLimits): PatchRequest {
  const o = expectObject(body, 'the request body');
  rejectUnknown(o, PATCH_FIELDS, 'the request body');
  const given = (['text', 'bytes', 'documents'] as const).filter((k) => o[k] !== undefined);
  if (given.length !== 1) {
    throw new BltError(
      'BAD_INPUT',
      given.length === 0
        ? 'Expected one of `text` (a string), `bytes` (base64) or `documents` (an array), got none of them.'
        : `Expected one of \`text\`, \`bytes\` or \`documents\`, got ${given.map((k) => `\`${k}\``).join(' and ')}.`,
      'e.g. {"text": "Hello, world"}',
    );
  }
  let docs: PatchDoc[];
  const batch = o.documents !== undefined;
  if (batch) {
    if (!Array.isArray(o.documents))
      throw new BltError('BAD_INPUT', `Expected \`documents\` to be an array, got ${describeValue(o.documents)}.`);
    if (o.documents.length === 0)
      throw new BltError('BAD_INPUT', 'Expected `documents` to hold at least one document, got an empty array.');
    if (o.documents.length > limits.maxDocuments) {
      throw new BltError(
        'BAD_INPUT',
        `Expected at most ${limits.maxDocuments} documents in one request, got ${o.documents.length}.`,
        'split the batch into several requests',
      );
    }
    docs = o.documents.map(docFrom);
  } else {
    docs = [{ bytes: oneText(o, 'the request body') }];
  }
  const asked = parseBody(o, PATCHING_OPTIONS) as PatchingValues;
  const mode = asked.mode ?? 'entropy';
  const patching: PatchSettings = {
    mode,
    monotonicity: asked.monotonicity ?? false,
    includeNextToken: asked.includeNextToken ?? false,
  };
  for (const k of ['threshold', 'thresholdAdd', 'maxPatchLength', 'patchSize'] as const)
    if (asked[k] !== undefined) patching[k] = asked[k];
  // the library's own checks (static needs an integer size, ...), before any model work
  resolvePatchOptions({ ...patching, entropies: [] }, 0);
  const wantEntropies = optBool(o, 'entropies');
  if (mode === 'entropy' && wantEntropies === false) {
    throw new BltError(
      'BAD_OPTION',
      'Expected `entropies` to be true or absent in entropy mode, got false (entropy patching needs them).',
    );
  }
  return {
    docs,
    batch,
    patching,
    ngram: ngramFrom(o.ngram),
    score: mode === 'entropy' || wantEntropies === true,
    segments: optBool(o, 'segments') ?? false,
  };
}
