/**
 * The stateful-stage contract (docs/ARCHITECTURE.md, "States"): a stage with a position or a buffer
 * (ingest cursor, sequence buffer, shard source, loader, shard writer, train state, job record)
 * exposes `getState()`, a small JSON object tagged with its kind and version, and a codec whose
 * `decode` checks that object against the kind's schema and whose `build` rebuilds the stage from
 * it so that it continues exactly as the original would have. States nest: a parent's decode
 * decodes its children with their own codecs (`r.nested`), as in the reference's
 * `abstract_iterator.py` (a pydantic state per iterator, `build()` rebuilds the chain).
 *
 *   { kind: 'sequence-buffer', v: 1, ..., source: { kind: 'shard-source', v: 1, ... } }
 *
 * The tag keys are `kind`/`v` unless a schema names others (e.g. `format`/`version` for files that
 * already use them), so states written before the contract still decode. Every failure is a
 * STATE_FORMAT BltError naming the state, the field path, what was expected and what was received.
 */
import { BltError } from './errors.js';
import { DEFAULT_STATE_HINT, FieldReader, shown, stateError, type StateSite } from './state-fields.js';

export { DEFAULT_STATE_HINT, FieldReader, stateError, type StateSite } from './state-fields.js';

/** A stage whose position can be saved: `getState()` is cheap and has no side effects. */
export interface Stateful<S> {
  getState(): S;
}

export interface StateSchema<S> {
  /** the tag value, e.g. 'ingest-cursor' */
  readonly kind: string;
  readonly version: number;
  /** what the state is called in messages, e.g. 'ingest cursor' */
  readonly label: string;
  /** every other field the state may hold (the tag keys excluded); unknown fields are rejected */
  readonly fields: readonly string[];
  /** the fields that may be absent (a subset of `fields`) */
  readonly optional?: readonly string[];
  /** the tag's key names (default `{ kind: 'kind', version: 'v' }`) */
  readonly tagKeys?: { readonly kind: string; readonly version: string };
  /** how to fix a state that does not decode (default: resume with the state the same run wrote) */
  readonly hint?: string;
  /** field checks past the tag and the field names; returns the typed state */
  check(r: FieldReader): S;
}

/** Decodes and rebuilds one kind of state. `Ctx` is what the state does not hold (inputs, options). */
export interface StateCodec<S, Stage = never, Ctx = void> {
  readonly schema: StateSchema<S>;
  /** Checks `value` (e.g. parsed JSON) against the schema; `where` names its source in messages. */
  decode(value: unknown, where?: string): S;
  /** `decode` for a state nested in another (messages name the outer state and the field path). */
  decodeAt(value: unknown, site: StateSite): S;
  /** Rebuilds the stage at `state` (decoded first); it continues exactly as the saved one would. */
  build(state: unknown, ctx: Ctx): Stage;
}

const VERSION_HINT = 'this state was written by another version of the tool';

/** Defines a state kind: its schema, and (optionally) how to rebuild its stage. */
export function defineState<S, Stage = never, Ctx = void>(
  schema: StateSchema<S>,
  build?: (state: S, ctx: Ctx) => Stage,
): StateCodec<S, Stage, Ctx> {
  const codec: StateCodec<S, Stage, Ctx> = {
    schema,
    decode: (value, where) => decodeState(schema, value, { label: schema.label, where, path: '' }),
    decodeAt: (value, site) => decodeState(schema, value, site),
    build: (value, ctx) => {
      if (build === undefined) throw new BltError('INTERNAL', `The ${schema.label} has no build(); this is a bug.`);
      return build(codec.decode(value), ctx);
    },
  };
  return codec;
}

/** The decode step of `defineState` (also for nested states, through `decodeAt`). */
function decodeState<S>(schema: StateSchema<S>, value: unknown, site: StateSite): S {
  const hint = schema.hint ?? DEFAULT_STATE_HINT;
  const fail = (what: string, h?: string): never => {
    throw stateError(site, what, h ?? hint);
  };
  const keys = schema.tagKeys ?? { kind: 'kind', version: 'v' };
  const name = site.path === '' ? 'a JSON object' : `\`${site.path.slice(0, -1)}\` to be a JSON object`;
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return fail(`expected ${name}, got ${shown(value)}`);
  const o = value as Record<string, unknown>;
  const kindKey = `${site.path}${keys.kind}`;
  const versionKey = `${site.path}${keys.version}`;
  if (o[keys.kind] !== schema.kind)
    return fail(`expected ${kindKey} ${JSON.stringify(schema.kind)}, got ${shown(o[keys.kind])}`);
  if (o[keys.version] !== schema.version) {
    const got = shown(o[keys.version]);
    return fail(`expected ${site.path === '' ? 'version' : versionKey} ${schema.version}, got ${got}`, VERSION_HINT);
  }
  const allowed = new Set([keys.kind, keys.version, ...schema.fields]);
  const extra = Object.keys(o).find((k) => !allowed.has(k));
  if (extra !== undefined) return fail(`unknown field "${site.path}${extra}"`);
  const optional = new Set(schema.optional ?? []);
  const missing = schema.fields.find((k) => !optional.has(k) && o[k] === undefined);
  if (missing !== undefined) return fail(`missing field "${site.path}${missing}"`);
  return schema.check(new FieldReader(o, site, hint));
}
