/**
 * The shard set's manifest, `index.json`: written last and atomically, so its presence means
 * the set is complete. Readers check format and version before touching a shard.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../core/atomic.js';
import { BltError } from '../core/errors.js';
import { parseJson } from '../core/parse-json.js';
import { defineState } from '../core/state.js';
import { packageVersion } from '../core/package-info.js';
import { canonicalJson } from '../core/canonical-json.js';
import { FORMAT_NAME, FORMAT_VERSION } from './schema.js';

export const MANIFEST_FILE = 'index.json';

export interface ManifestInput {
  path: string;
  size: number;
  sha256: string;
}

export interface ManifestShard {
  file: string;
  rows: number;
  bytes: number;
  sha256: string;
  firstDoc?: string;
  lastDoc?: string;
  firstTask?: number;
  lastTask?: number;
}

export interface ManifestTotals {
  documents: number;
  bytes: number;
  tokens: number;
  patches: number;
  quarantined: number;
}

/** What each column depends on (docs/shards.md): equal fingerprint → reusable column. */
export interface ManifestFingerprints {
  content: string;
  entropy?: string;
  patches?: string;
  ngrams?: string;
}

export interface Manifest {
  format: typeof FORMAT_NAME;
  version: number;
  tool: { name: string; version: string };
  /** ISO time; optional, and left out of every fingerprint */
  createdAt?: string;
  /** the resolved run configuration */
  config: Record<string, unknown>;
  inputs: ManifestInput[];
  shards: ManifestShard[];
  totals: ManifestTotals;
  fingerprints: ManifestFingerprints;
}

export type ManifestFields = Omit<Manifest, 'format' | 'version' | 'tool'> & { tool?: Manifest['tool'] };

/** A manifest of the current format version, with this tool's name and version unless given. */
export function buildManifest(fields: ManifestFields): Manifest {
  const { tool, createdAt, config, inputs, shards, totals, fingerprints } = fields;
  const m: Manifest = {
    format: FORMAT_NAME,
    version: FORMAT_VERSION,
    tool: tool ?? { name: 'blt-toolkit', version: packageVersion() },
  } as Manifest;
  if (createdAt !== undefined) m.createdAt = createdAt;
  Object.assign(m, { config, inputs, shards, totals, fingerprints });
  return parseManifest(JSON.parse(JSON.stringify(m)), 'the manifest to write');
}

const HEX64 = /^[0-9a-f]{64}$/;
/** The manifest's fields past its tag (`format`, `version`), in the order `index.json` writes them. */
const FIELDS = ['tool', 'createdAt', 'config', 'inputs', 'shards', 'totals', 'fingerprints'];
const TOP_KEYS = ['format', 'version', ...FIELDS];
const isCount = (v: unknown): boolean => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const REWRITE_HINT = 'the manifest is written by `blt preprocess`; rerun or resume it to rewrite the shard set';

/** A SHARD_FORMAT error about the manifest at `where`. */
const manifestError = (where: string | undefined, what: string, hint = REWRITE_HINT): BltError =>
  new BltError('SHARD_FORMAT', `${where ?? 'the manifest'}: ${what}.`, hint);

/** The field checks of a manifest whose tag and field names are right. */
function checkFields(value: Record<string, unknown>, where: string | undefined): Manifest {
  const fail = (what: string): never => {
    throw manifestError(where, what);
  };
  const tool = value.tool as Record<string, unknown> | undefined;
  if (!isObject(tool) || typeof tool.name !== 'string' || typeof tool.version !== 'string')
    fail('expected tool {name, version} strings');
  if (value.createdAt !== undefined && typeof value.createdAt !== 'string') fail('expected createdAt to be a string');
  if (!isObject(value.config)) fail('expected config to be an object');
  if (!Array.isArray(value.inputs)) fail('expected inputs to be an array');
  (value.inputs as unknown[]).forEach((x, i) => {
    if (!isObject(x) || typeof x.path !== 'string' || !isCount(x.size) || typeof x.sha256 !== 'string')
      fail(`inputs[${i}]: expected {path, size, sha256}`);
  });
  if (!Array.isArray(value.shards)) fail('expected shards to be an array');
  (value.shards as unknown[]).forEach((x, i) => {
    if (
      !isObject(x) ||
      typeof x.file !== 'string' ||
      x.file.includes('/') ||
      x.file.includes('\\') ||
      !isCount(x.rows) ||
      !isCount(x.bytes) ||
      typeof x.sha256 !== 'string' ||
      !HEX64.test(x.sha256)
    ) {
      fail(
        `shards[${i}]: expected {file (a name inside the directory), rows, bytes, sha256 (64 hex digits)}, ` +
          `got ${JSON.stringify(x)}`,
      );
    }
  });
  const t = value.totals;
  if (!isObject(t) || !['documents', 'bytes', 'tokens', 'patches', 'quarantined'].every((k) => isCount(t[k]))) {
    fail('expected totals {documents, bytes, tokens, patches, quarantined} as non-negative integers');
  }
  const fp = value.fingerprints;
  if (!isObject(fp) || typeof fp.content !== 'string' || !HEX64.test(fp.content))
    fail('expected fingerprints.content (64 hex digits)');
  for (const k of ['entropy', 'patches', 'ngrams']) {
    const v = (fp as Record<string, unknown>)[k];
    if (v !== undefined && (typeof v !== 'string' || !HEX64.test(v)))
      fail(`expected fingerprints.${k} to be absent or 64 hex digits`);
  }
  return value as unknown as Manifest;
}

/**
 * The manifest as a state of the stateful-stage contract (src/core/state.ts): tagged by
 * `format`/`version`, its fields declared once (they also fix the key order of `index.json`).
 * Every field is checked by `checkFields` (SHARD_FORMAT, naming the manifest's file), so none is
 * listed as required here. There is no stage to rebuild: readers open the shards it lists.
 */
export const manifestCodec = defineState<Manifest>({
  kind: FORMAT_NAME,
  version: FORMAT_VERSION,
  label: 'shard set manifest',
  tagKeys: { kind: 'format', version: 'version' },
  fields: FIELDS,
  optional: FIELDS,
  hint: REWRITE_HINT,
  check: (r) => checkFields(r.o, r.site.where),
});

/**
 * Checks a parsed `index.json`; throws SHARD_FORMAT naming the first problem. The tag and the field
 * names are checked here first, with the manifest's own messages (a set of another version names
 * the tool version that wrote it); `manifestCodec` then checks the fields.
 */
function parseManifest(value: unknown, where: string): Manifest {
  const fail = (what: string, hint?: string): never => {
    throw manifestError(where, what, hint);
  };
  if (!isObject(value)) return fail('expected a JSON object');
  if (value.format !== FORMAT_NAME)
    fail(
      `expected format "${FORMAT_NAME}", found ${JSON.stringify(value.format)}`,
      'this directory is not a blt shard set',
    );
  if (value.version !== FORMAT_VERSION) {
    fail(
      `shard set format version ${JSON.stringify(value.version)} found, this tool reads version ${FORMAT_VERSION}`,
      'rebuild the shard set with this version of blt-toolkit (blt preprocess), ' +
        'or read it with the blt-toolkit version that wrote it ' +
        `(${JSON.stringify((value.tool as { version?: unknown } | undefined)?.version)})`,
    );
  }
  const extra = Object.keys(value).filter((k) => !TOP_KEYS.includes(k));
  if (extra.length > 0) fail(`unknown field(s) ${extra.join(', ')}`);
  return manifestCodec.decode(value, where);
}

/** Manifest → the exact bytes of `index.json` (fixed key order; config in canonical key order). */
export function serializeManifest(m: Manifest): string {
  const ordered: Record<string, unknown> = {};
  for (const k of TOP_KEYS) {
    const v = (m as unknown as Record<string, unknown>)[k];
    if (v !== undefined) ordered[k] = k === 'config' ? JSON.parse(canonicalJson(v)) : v;
  }
  return `${JSON.stringify(ordered, null, 2)}\n`;
}

/** Validates and writes `<dir>/index.json` atomically. Call it after the last shard is written. */
export async function writeManifest(dir: string, manifest: Manifest): Promise<void> {
  const m = parseManifest(JSON.parse(JSON.stringify(manifest)), `${join(dir, MANIFEST_FILE)} (to write)`);
  await writeFileAtomic(join(dir, MANIFEST_FILE), serializeManifest(m));
}

/** Reads and validates `<dir>/index.json`. */
export async function readManifest(dir: string): Promise<Manifest> {
  const path = join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    const dirExists = await stat(dir).then(
      (s) => s.isDirectory(),
      () => false,
    );
    if (!dirExists)
      throw new BltError(
        'NOT_FOUND',
        `Shard directory ${dir} does not exist.`,
        'check the path; a shard set is the directory given to `blt preprocess --out`',
      );
    throw new BltError(
      'SHARD_FORMAT',
      `${dir}: incomplete shard set: ${MANIFEST_FILE} is missing (it is written last, when every shard is complete).`,
      'rerun or resume the preprocessing run that writes this directory (`blt preprocess` continues where it stopped)',
    );
  }
  const json = parseJson(
    text,
    (m) =>
      new BltError(
        'SHARD_FORMAT',
        `${path}: expected JSON, got text that does not parse (${m}).`,
        'the manifest is written atomically, so it was edited or damaged; rerun the preprocessing run',
      ),
  );
  return parseManifest(json, path);
}
