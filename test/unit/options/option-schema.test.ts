/**
 * The option schemas (src/options/): one declaration per option generates the commander flags,
 * the JSON body check and the stored config. Any valid option set gives the same stored config
 * whether it came as CLI arguments, as a `/v1/jobs` body or as library options; every invalid
 * value is a BAD_OPTION naming the flag (or field) and the value received; docs/openapi.json
 * describes exactly these fields with the same types and bounds.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import fc from 'fast-check';
import { BltError } from '../../../src/core/errors.js';
import { usageError } from '../../../src/cli/cli-errors.js';
import { addOptions, cliValues, longFlag, type OptionDef, type ValueSpec } from '../../../src/options/option-def.js';
import { PATCHING_OPTIONS } from '../../../src/options/patching.js';
import { HASHING_OPTIONS } from '../../../src/options/hashing.js';
import { PREPROCESS_OPTIONS, type PreprocessOptions } from '../../../src/options/preprocess.js';
import { resolvePreprocessConfig } from '../../../src/preprocess/config.js';
import { JOB_FIELDS, parseJobFields } from '../../../src/serve/job-request.js';
import { PATCH_FIELDS, parsePatchRequest } from '../../../src/serve/patch-request.js';

const DEFS: readonly OptionDef[] = PREPROCESS_OPTIONS;
const cliSpec = (d: OptionDef): ValueSpec => d.cli ?? d.value;

/** A valid value of an option (for the CLI's values where they are narrower). */
function valueArb(d: OptionDef): fc.Arbitrary<unknown> {
  const s = cliSpec(d);
  switch (s.kind) {
    case 'number':
      return fc.double({ min: -20, max: 20, noNaN: true }).filter((x) => !Object.is(x, -0));
    case 'int':
    case 'size':
      return fc.integer({ min: s.min, max: Math.min(s.max ?? Number.MAX_SAFE_INTEGER, s.min + 5000) });
    case 'enum':
      return fc.constantFrom(...s.values);
    case 'bool':
      return fc.boolean();
    case 'string':
      return fc.stringMatching(/^[a-z][a-z0-9_./-]{0,12}$/);
    case 'intList':
      return fc.uniqueArray(fc.integer({ min: s.min, max: s.max }), { minLength: 1, maxLength: 6 });
  }
}

/** A valid option set of `defs` (any subset), with the partition index inside the partitions. */
function optionSet(defs: readonly OptionDef[]): fc.Arbitrary<Record<string, unknown>> {
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const d of defs) if (d.flags !== undefined) model[d.key] = valueArb(d);
  return fc.record(model, { requiredKeys: [] }).map((o) => {
    const n = (o.numPartitions as number | undefined) ?? 1;
    if (o.partitionIndex !== undefined) o.partitionIndex = (o.partitionIndex as number) % n;
    if (o.mode === 'static' && o.patchSize === undefined) o.patchSize = 4;
    return o;
  });
}

/** The option set as `blt preprocess` arguments, each rendered from its declaration. */
function toArgs(o: Record<string, unknown>): string[] {
  const args: string[] = [];
  for (const d of DEFS) {
    const v = o[d.key];
    if (v === undefined || d.flags === undefined) continue;
    const flag = longFlag(d);
    if (cliSpec(d).kind === 'bool') {
      if (flag.startsWith('--no-') ? v === false : v === true) args.push(flag);
    } else args.push(`${flag}=${Array.isArray(v) ? v.join(',') : String(v)}`);
  }
  return args;
}

function parseCli(args: string[]): Record<string, unknown> {
  const cmd = new Command('t').exitOverride().configureOutput({ outputError: () => undefined });
  addOptions(cmd, DEFS);
  cmd.parse(args, { from: 'user' });
  return cliValues(cmd.opts(), DEFS);
}

/** The library's options of a CLI-typed set (`--invalid-utf8 quarantine` is `bad-record`). */
function libraryOf(o: Record<string, unknown>): PreprocessOptions {
  const out: Record<string, unknown> = { inputs: ['in.jsonl'], out: 'out' };
  for (const d of DEFS) if (o[d.key] !== undefined) out[d.key] = d.fromCli ? d.fromCli(o[d.key]) : o[d.key];
  return { workers: 256, ...out } as PreprocessOptions;
}

function badOption(fn: () => unknown, ...parts: string[]): void {
  assert.throws(fn, (err: unknown) => {
    const e = err instanceof CommanderError ? usageError(err, []) : err;
    assert.ok(e instanceof BltError, String(err));
    assert.equal(e.code, 'BAD_OPTION');
    for (const p of parts) assert.ok(e.message.includes(p), `${JSON.stringify(p)} in ${e.message}`);
    return true;
  });
}

describe('options: one schema per capability', () => {
  it('any valid option set: CLI arguments, a /v1/jobs body and library options store the same config', () => {
    const bodyDefs = DEFS.filter((d) => d.body !== false);
    fc.assert(
      fc.property(optionSet(bodyDefs), (o) => {
        const lib = libraryOf(o);
        const fromLib = resolvePreprocessConfig(lib);
        const fromCli = resolvePreprocessConfig({ ...libraryOf(parseCli(toArgs(o))), inputs: lib.inputs, out: 'out' });
        const body = { inputs: lib.inputs, out: 'out', ...o };
        const fromBody = resolvePreprocessConfig(parseJobFields(body, { workers: 256 }) as PreprocessOptions);
        assert.deepEqual(fromCli, fromLib);
        assert.deepEqual(fromBody, fromLib);
        assert.deepEqual(JSON.parse(JSON.stringify(fromLib)), fromLib, 'the stored config is plain JSON');
      }),
      { numRuns: 200 },
    );
  });

  it('the CLI-only options (--max-line-bytes, --invalid-utf8, --cache-dir) round-trip too', () => {
    fc.assert(
      fc.property(optionSet(DEFS), (o) => {
        assert.deepEqual(
          resolvePreprocessConfig(libraryOf(parseCli(toArgs(o)))),
          resolvePreprocessConfig(libraryOf(o)),
        );
      }),
      { numRuns: 100 },
    );
  });

  it('every invalid CLI value is a BAD_OPTION naming the flag and the text typed', () => {
    for (const d of DEFS) {
      if (d.flags === undefined) continue;
      const s = cliSpec(d);
      const flag = longFlag(d);
      if (s.kind === 'bool' || s.kind === 'string') continue;
      badOption(() => parseCli([`${flag}=abc`]), flag, 'abc');
      if (s.kind === 'int') {
        badOption(() => parseCli([`${flag}=${s.min - 1}`]), flag, String(s.min - 1));
        badOption(() => parseCli([`${flag}=1.5`]), flag, '1.5');
      }
      const max = s.kind === 'int' ? s.max : undefined;
      if (max !== undefined) badOption(() => parseCli([`${flag}=${max + 1}`]), flag);
    }
  });

  it('every invalid body value is a BAD_OPTION naming the field and the value received', () => {
    for (const d of DEFS.filter((x) => x.body !== false)) {
      const wrong = d.value.kind === 'string' ? 5 : 'abc';
      badOption(() => parseJobFields({ inputs: ['a'], [d.key]: wrong }, { workers: 2 }), `\`${d.key}\``, String(wrong));
      const v = d.value;
      if (v.kind === 'int')
        badOption(() => parseJobFields({ inputs: ['a'], [d.key]: v.min - 1 }, { workers: 2 }), `\`${d.key}\``);
    }
    for (const d of PATCHING_OPTIONS) {
      badOption(() => parsePatchRequest({ text: 'a', [d.key]: 'abc' }, { maxDocuments: 1 }), `\`${d.key}\``, 'abc');
    }
    badOption(() => parseJobFields({ inputs: ['a'], workers: 3 }, { workers: 2 }), '`workers`', 'in [0, 2]');
  });

  it('the stored config keeps its defaults (the fingerprints of shard sets depend on them)', () => {
    const c = resolvePreprocessConfig({ inputs: ['a'], out: 'o', workers: 1 });
    assert.deepEqual(c.process, {
      patching: { mode: 'entropy', monotonicity: false },
      ngrams: { sizes: [3, 4, 5, 6, 7, 8], functions: 1, vocab: 500002 },
      entropy: { model: '', fingerprint: '', engine: 'auto' },
    });
    assert.deepEqual(
      [c.format, c.shardSizeBytes, c.rowGroupRows, c.docsPerTask, c.taskBytes, c.read, c.onError, c.partition],
      [
        'parquet',
        128 * 2 ** 20,
        10_000,
        64,
        2 ** 20,
        { linesAsDocs: false, maxDocBytes: 64 * 2 ** 20 },
        'quarantine',
        { count: 1, index: 0 },
      ],
    );
  });

  describe('docs/openapi.json agrees with the schemas', () => {
    const spec = JSON.parse(readFileSync('docs/openapi.json', 'utf8')) as {
      components: { schemas: Record<string, { properties: Record<string, Record<string, unknown>> }> };
    };
    const schemas = spec.components.schemas;
    /** What the JSON schema of an option's body field says (workers: narrowed by the server's --workers). */
    function expected(d: OptionDef, s: ValueSpec = d.value): Record<string, unknown> {
      switch (s.kind) {
        case 'number':
          return s.positive ? { type: 'number', exclusiveMinimum: 0 } : { type: 'number' };
        case 'int':
        case 'size':
          return {
            type: 'integer',
            minimum: s.min,
            ...(s.max === undefined || d.key === 'workers' ? {} : { maximum: s.max }),
          };
        case 'enum':
          return { type: 'string', enum: [...s.values] };
        case 'bool':
          return { type: 'boolean' };
        case 'string':
          return { type: 'string' };
        case 'intList':
          return { type: 'array', items: { type: 'integer', minimum: s.min, maximum: s.max } };
      }
    }
    const pick = (p: Record<string, unknown>, keys: string[]): Record<string, unknown> =>
      Object.fromEntries(keys.filter((k) => p[k] !== undefined).map((k) => [k, p[k]]));
    const check = (schema: string, defs: readonly OptionDef[]): void => {
      const props = schemas[schema]?.properties ?? {};
      for (const d of defs) {
        const want = expected(d);
        assert.deepEqual(pick(props[d.key] ?? {}, Object.keys(want)), want, `${schema}.${d.key}`);
      }
    };

    it('JobRequest: exactly inputs, out and the body options of blt preprocess, typed as declared', () => {
      assert.deepEqual(Object.keys(schemas.JobRequest?.properties ?? {}), JOB_FIELDS);
      check(
        'JobRequest',
        DEFS.filter((d) => d.body !== false),
      );
    });

    it('PatchRequest and FigureRequest: the patching options; NgramSettings: the hashing bounds', () => {
      assert.deepEqual(Object.keys(schemas.PatchRequest?.properties ?? {}), [...PATCH_FIELDS]);
      check('PatchRequest', PATCHING_OPTIONS);
      check('FigureRequest', PATCHING_OPTIONS);
      const ngram = schemas.NgramSettings?.properties ?? {};
      const [sizes, functions, vocab] = HASHING_OPTIONS;
      assert.deepEqual(pick(ngram.sizes ?? {}, ['type', 'items']), expected(sizes));
      assert.deepEqual(pick(ngram.functions ?? {}, ['type', 'minimum', 'maximum']), expected(functions));
      assert.deepEqual(pick(ngram.vocab ?? {}, ['type', 'minimum', 'maximum']), expected(vocab));
    });
  });
});
