/**
 * What a finished `blt preprocess` / `blt repatch` run tells the user beyond its totals: where the
 * quarantined records are (and the first reason), that nothing was written (an error: exit 2), and
 * that input files look binary (NUL bytes near the start) although they were read as text.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BltError } from '../core/errors.js';
import { detectInput } from '../ingest/list-inputs.js';
import type { PreprocessSummary } from '../preprocess/run-preprocess.js';

/** Bytes looked at for a NUL (as git and grep decide "binary"). */
const SNIFF_BYTES = 8000;
export const QUARANTINE_NAME = 'quarantine.jsonl';

export interface RunChecks {
  /** `<out>/quarantine.jsonl` when records were set aside there, else null */
  quarantineFile: string | null;
  /** the first quarantine reason, if any */
  firstReason: string | null;
  warnings: string[];
  /** set when the run wrote no documents (or only from binary files) */
  error: BltError | null;
}

function looksBinary(path: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const buf = Buffer.alloc(SNIFF_BYTES);
    const n = readSync(fd, buf, 0, SNIFF_BYTES, 0);
    return buf.subarray(0, n).includes(0);
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

async function firstQuarantineReason(file: string): Promise<string | null> {
  try {
    const text = (await readFile(file, 'utf8')).slice(0, 1 << 16);
    const line = text.split('\n', 1)[0] ?? '';
    const reason = (JSON.parse(line) as { reason?: unknown }).reason;
    return typeof reason === 'string' ? reason : null;
  } catch {
    return null;
  }
}

async function inputPaths(out: string): Promise<string[]> {
  try {
    const index = JSON.parse(await readFile(join(out, 'index.json'), 'utf8')) as { inputs?: Array<{ path?: unknown }> };
    return (index.inputs ?? []).map((i) => i.path).filter((p): p is string => typeof p === 'string');
  } catch {
    return [];
  }
}

const list = (xs: string[]): string =>
  `${xs.slice(0, 5).join(', ')}${xs.length > 5 ? `, … (${xs.length} in all)` : ''}`;

/** The checks of a finished run; `sniffInputs`: look for binary plain-text inputs (preprocess). */
export async function checkRun(s: PreprocessSummary, sniffInputs: boolean): Promise<RunChecks> {
  const checks: RunChecks = { quarantineFile: null, firstReason: null, warnings: [], error: null };
  if (s.status === 'interrupted') return checks;
  if (s.quarantined > 0) {
    checks.quarantineFile = join(s.out, QUARANTINE_NAME);
    checks.firstReason = await firstQuarantineReason(checks.quarantineFile);
    checks.warnings.push(
      `${s.quarantined} record(s) were quarantined (set aside, not in the shards): see ${checks.quarantineFile}` +
        `${checks.firstReason ? `; the first: ${checks.firstReason}` : ''}`,
    );
  }
  let binary: string[] = [];
  let textInputs = 0;
  if (sniffInputs) {
    const text = (await inputPaths(s.out)).filter(
      (p) => p !== '-' && detectInput(p).kind === 'text' && detectInput(p).compression === 'none',
    );
    textInputs = text.length;
    binary = text.filter(looksBinary);
    if (binary.length > 0) {
      checks.warnings.push(
        `${binary.length} of ${textInputs} plain-text input file(s) look binary (NUL bytes in the ` +
          `first ${SNIFF_BYTES} bytes) and were read as text documents: ${list(binary)}; ` +
          'if that was not intended, leave them out (a directory or glob input takes every file it matches)',
      );
    }
  }
  if (s.documents === 0) {
    const why =
      s.quarantined > 0
        ? `all ${s.quarantined} record(s) were quarantined (see ${checks.quarantineFile ?? QUARANTINE_NAME})`
        : 'the inputs held no documents (empty files or directories, or only blank lines)';
    checks.error = new BltError(
      'BAD_INPUT',
      `The run wrote no documents to ${s.out}: ${why}.`,
      s.quarantined > 0
        ? 'fix the records named there (their reasons say how) and run again'
        : 'check the input paths and --text-field / --lines',
    );
  } else if (binary.length > 0 && binary.length === textInputs && (await inputPaths(s.out)).length === textInputs) {
    checks.error = new BltError(
      'BAD_INPUT',
      `Every input of ${s.out} looks binary (${list(binary)}); the shards hold their raw bytes as documents.`,
      'pass text inputs (.txt, .jsonl, .parquet, .arrow), or leave the binary files out',
    );
  }
  return checks;
}
