/**
 * The fingerprints of a shard set (docs/design.md §5): what each column depends on.
 *   content = the input documents (input checksums + how they are read + the partition)
 *   entropy = content + entropy model fingerprint + scoring scheme
 *   patches = entropy (or content when the mode needs no entropies) + patching settings
 *   ngrams  = content + hash settings
 */
import { hashFile } from '../core/hash.js';
import { fingerprint } from '../shards/fingerprint.js';
import type { ManifestFingerprints, ManifestInput } from '../shards/manifest.js';
import type { InputFile } from '../ingest/index.js';
import type { PreprocessConfig } from './config.js';

/** Entropy windowing scheme version: bump when the way entropies are computed changes. */
const ENTROPY_SCHEME = 'reference-chunks-8192-v2'; // v1: windows of W at stride W/2 (before issue 15)

export async function describeInputs(files: readonly InputFile[]): Promise<ManifestInput[]> {
  const out: ManifestInput[] = [];
  for (const f of files)
    out.push({ path: f.path, size: f.size, sha256: f.kind === 'stdin' ? 'stdin' : (await hashFile(f.path)).sha256 });
  return out;
}

export function runFingerprints(c: PreprocessConfig, inputs: readonly ManifestInput[]): ManifestFingerprints {
  const content = fingerprint([
    'content',
    inputs.map((i) => ({ size: i.size, sha256: i.sha256 })),
    c.read,
    c.partition,
    { docsPerTask: c.docsPerTask, taskBytes: c.taskBytes },
  ]);
  const fp: ManifestFingerprints = { content };
  const e = c.process.entropy;
  if (e) fp.entropy = fingerprint(['entropy', content, e.fingerprint, ENTROPY_SCHEME]);
  fp.patches = fingerprint(['patches', fp.entropy ?? content, c.process.patching]);
  if (c.process.ngrams) fp.ngrams = fingerprint(['ngrams', content, c.process.ngrams]);
  return fp;
}
