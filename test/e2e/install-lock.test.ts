/**
 * The committed package.json / package-lock.json install cleanly on the declared engine:
 * every locked package accepts the minimum Node of `engines` (no EBADENGINE warnings), the lock
 * records every platform's optional packages (so neither `npm install` nor `npm ci` rewrites
 * or refuses it on a fresh clone), and the lock's root entry is the package.json it came from.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { posix } from 'node:path';

interface LockEntry {
  version?: string;
  engines?: { node?: string } | string[];
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  link?: boolean;
}
interface Lock {
  lockfileVersion: number;
  packages: Record<string, LockEntry>;
}
interface PackageJson {
  engines: { node: string };
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  optionalDependencies: Record<string, string>;
}

const root = new URL('../../', import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as PackageJson;
const lock = JSON.parse(readFileSync(new URL('package-lock.json', root), 'utf8')) as Lock;
// semver is fastify's dependency (always installed); npm itself uses the same rules.
const semver = createRequire(import.meta.url)('semver') as {
  minVersion(range: string): { version: string } | null;
  satisfies(version: string, range: string): boolean;
};

/** Where Node's resolution finds `dep` from the package installed at `from` (a lock key). */
function resolveInLock(from: string, dep: string): string | undefined {
  let dir = from;
  for (;;) {
    const key = dir === '' ? `node_modules/${dep}` : `${dir}/node_modules/${dep}`;
    if (lock.packages[key]) return key;
    if (dir === '') return undefined;
    const i = dir.lastIndexOf('/node_modules/');
    dir = i < 0 ? '' : dir.slice(0, i);
    if (dir === 'node_modules') dir = '';
  }
}

describe('install: package-lock.json', () => {
  const minNode = semver.minVersion(pkg.engines.node)?.version;

  it('every locked package supports the lowest Node that engines declares', () => {
    assert.ok(minNode, pkg.engines.node);
    const bad = Object.entries(lock.packages)
      .filter(
        ([key, e]) =>
          key !== '' &&
          !Array.isArray(e.engines) &&
          e.engines?.node !== undefined &&
          !semver.satisfies(minNode, e.engines.node),
      )
      .map(([key, e]) => `${key}@${e.version ?? '?'} wants node ${(e.engines as { node: string }).node}`);
    assert.deepEqual(bad, [], `engines.node is ${pkg.engines.node}; these would warn EBADENGINE`);
  });

  it("records every package's optional dependencies for every platform (npm install leaves it unchanged)", () => {
    const missing: string[] = [];
    for (const [key, e] of Object.entries(lock.packages)) {
      if (key === '' || e.link) continue;
      for (const dep of Object.keys(e.optionalDependencies ?? {})) {
        if (!resolveInLock(key, dep)) missing.push(`${posix.basename(key)} -> ${dep}`);
      }
    }
    assert.deepEqual(missing, []);
  });

  it("the lock's root entry matches package.json (engines and every dependency range)", () => {
    const top = lock.packages[''];
    assert.ok(top);
    assert.equal(lock.lockfileVersion, 3);
    assert.deepEqual(top.engines, pkg.engines);
    assert.deepEqual(top.dependencies, pkg.dependencies);
    assert.deepEqual(top.devDependencies, pkg.devDependencies);
    assert.deepEqual(top.optionalDependencies, pkg.optionalDependencies);
    for (const name of Object.keys(pkg.dependencies)) {
      assert.ok(resolveInLock('', name), `${name} is locked`);
    }
  });
});
