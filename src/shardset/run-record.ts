/**
 * `run.json`, the run record: the output-defining configuration and fingerprints of the run that
 * writes a directory, written before its first task. A run started again in the same directory
 * must match it (it then resumes); another run there is refused instead of mixing two sets.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../core/atomic.js';
import { BltError } from '../core/errors.js';
import { defineState } from '../core/state.js';
import { canonicalJson } from '../core/canonical-json.js';
import type { ManifestFingerprints } from '../shards/manifest.js';
import { outputDefiningConfig, type PreprocessConfig } from '../preprocess/config.js';
import { parseRecord, untagged } from './record-codec.js';

export const RUN_FILE = 'run.json';

export interface RunRecord {
  /** `outputDefiningConfig` of the run */
  config: Record<string, unknown>;
  fingerprints: ManifestFingerprints;
}

/** The run record's codec (src/core/state.ts); `run.json` is untagged (record-codec.ts). */
export const runRecordCodec = defineState<RunRecord>({
  kind: 'run-record',
  version: 1,
  label: 'run record',
  fields: ['config', 'fingerprints'],
  hint: 'the output directory is damaged; delete it and run again',
  check(r) {
    r.object('config');
    r.sub('fingerprints').string('content');
    return untagged(r.o) as unknown as RunRecord;
  },
});

/** Refuses to continue a run with other inputs or settings in the same directory; records the run otherwise. */
export async function checkRunRecord(c: PreprocessConfig, fingerprints: ManifestFingerprints): Promise<void> {
  const record = canonicalJson({ config: outputDefiningConfig(c), fingerprints });
  const path = join(c.out, RUN_FILE);
  if (existsSync(path)) {
    const prev = await readFile(path, 'utf8');
    parseRecord(runRecordCodec, prev, path); // a damaged record is named as such
    if (prev.trim() !== record) {
      throw new BltError(
        'STATE_FORMAT',
        `${c.out} holds an unfinished run with other inputs or settings.`,
        'resume with exactly the same inputs and options, or write to a new --out directory (or delete this one)',
      );
    }
    return;
  }
  await writeFileAtomic(path, `${record}\n`);
}
