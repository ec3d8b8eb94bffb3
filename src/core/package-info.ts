import { readFileSync } from 'node:fs';

/** The package root: two levels above this file both in src/ (tsx) and in dist/src/ (built). */
export function packageRoot(): string {
  for (const rel of ['../../', '../../../']) {
    const url = new URL(rel, import.meta.url);
    try {
      const pkg = JSON.parse(readFileSync(new URL('package.json', url), 'utf8')) as { name?: string };
      if (pkg.name === 'blt-toolkit') return url.pathname;
    } catch {
      // try the next candidate
    }
  }
  throw new Error('blt-toolkit: cannot find package.json above ' + import.meta.url);
}

let cached: { version: string; dependencies: Record<string, string> } | undefined;
function pkg(): { version: string; dependencies: Record<string, string> } {
  cached ??= JSON.parse(readFileSync(`${packageRoot()}package.json`, 'utf8')) as typeof cached & object;
  return cached;
}

export function packageVersion(): string {
  return pkg().version;
}
