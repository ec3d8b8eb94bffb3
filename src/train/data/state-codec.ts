/**
 * The loader states' older field checks, now thin adapters over the state contract
 * (src/core/state.ts, state-fields.ts) for the files that still call them (shard-source.ts,
 * loader-state.ts); new code uses `defineState` and `FieldReader` directly.
 */
import type { BltError } from '../../core/errors.js';
import { defineState, FieldReader, stateError as coreStateError } from '../../core/state.js';
import { shown } from '../../core/state-fields.js';

const HINT =
  'pass the object that getState() returned (after a JSON round trip is fine); ' +
  'states of other versions cannot be resumed';

const site = (where: string) => ({ label: where.replace(/^the /, ''), path: '' });

export function stateError(where: string, expected: string, got: unknown): BltError {
  const what = `expected ${where} to be ${expected}, got ${typeof got === 'string' ? got : shown(got)}`;
  return coreStateError({ label: 'loader state', path: '' }, what, HINT);
}

/** Checks `{ kind, v }` and that the object has exactly `fields` (plus kind and v). */
export function checkTagged(
  value: unknown,
  kind: string,
  v: number,
  fields: readonly string[],
  where: string,
): Record<string, unknown> {
  const codec = defineState({ kind, version: v, label: site(where).label, fields, hint: HINT, check: (r) => r.o });
  return codec.decode(value) as Record<string, unknown>;
}

/** A non-negative safe integer field. */
export function checkCount(o: Record<string, unknown>, key: string, where: string): number {
  return new FieldReader(o, { ...site(where), path: '' }, HINT).count(key);
}
