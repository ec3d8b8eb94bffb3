/**
 * Installed versions of the libraries the toolkit's numbers depend on, for `blt doctor` and
 * benchmark reports. Reads each package.json from disk (works whatever a package's `exports`).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

export const REPORTED_LIBRARIES = [
  '@tensorflow/tfjs',
  '@tensorflow/tfjs-backend-wasm',
  'apache-arrow',
  'parquet-wasm',
  'onnxruntime-node',
  'piscina',
  'p-queue',
] as const;

export const NOT_INSTALLED = 'not installed';

/** The version of `name` resolvable from this package, or 'not installed'. */
export function libraryVersion(name: string): string {
  const require = createRequire(import.meta.url);
  for (const dir of require.resolve.paths(name) ?? []) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, name, 'package.json'), 'utf8')) as { version?: unknown };
      if (typeof pkg.version === 'string') return pkg.version;
    } catch {
      // not in this node_modules; try the next one up
    }
  }
  return NOT_INSTALLED;
}

/** `{ name: version }` for `names` (default: REPORTED_LIBRARIES), in that order. */
export function libraryVersions(names: readonly string[] = REPORTED_LIBRARIES): Record<string, string> {
  return Object.fromEntries(names.map((n) => [n, libraryVersion(n)]));
}
