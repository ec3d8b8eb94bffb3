/**
 * The structure figures of issue 14's acceptance, for src/: import cycles (dpdm), files over 400
 * lines, lines over 120 characters, and unused exports (scripts/unused-exports.ts). Exits 1 when
 * there is an import cycle (the size limits themselves are lint rules, eslint.config.js).
 * Duplicate pairs are counted by a tool of the build machine, not of this repository:
 * `duplicates --repo src` (it is not run here).
 *
 *   npm run check:structure            # figures, one per line
 *   npm run check:structure -- --json  # the same as one JSON object
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { unusedExports } from './unused-exports.js';

const ROOT = resolve(import.meta.dirname, '..');

function tsFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) tsFiles(p, out);
    else if (name.endsWith('.ts')) out.push(p);
  }
  return out;
}

function cycles(): string[][] {
  const dir = mkdtempSync(join(tmpdir(), 'blt-structure-'));
  try {
    const out = join(dir, 'deps.json');
    const bin = join(ROOT, 'node_modules', '.bin', 'dpdm');
    execFileSync(bin, ['--no-warning', '--no-tree', '--no-progress', '-o', out, 'src/**/*.ts'], {
      cwd: ROOT,
      stdio: 'ignore',
    });
    return (JSON.parse(readFileSync(out, 'utf8')) as { circulars: string[][] }).circulars;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const files = tsFiles(join(ROOT, 'src')).sort();
const long: Array<[string, number]> = [];
let longLines = 0;
for (const f of files) {
  const lines = readFileSync(f, 'utf8').split('\n');
  if (lines.at(-1) === '') lines.pop();
  if (lines.length > 400) long.push([relative(ROOT, f), lines.length]);
  longLines += lines.filter((l) => l.length > 120).length;
}
const circular = cycles();
const unused = unusedExports();
const figures = {
  files: files.length,
  importCycles: circular.length,
  filesOver400Lines: long.length,
  linesOver120: longLines,
  unusedExports: unused.length,
};
if (process.argv.includes('--json')) console.log(JSON.stringify({ ...figures, cycles: circular, long }));
else {
  console.log(`src/: ${figures.files} TypeScript files`);
  console.log(`import cycles          ${circular.length}`);
  for (const c of circular) console.log(`  ${c.join(' -> ')}`);
  console.log(`files over 400 lines   ${long.length}`);
  for (const [f, n] of long) console.log(`  ${f} (${n})`);
  console.log(`lines over 120 chars   ${longLines}`);
  console.log(`unused exports         ${unused.length} (node --import tsx scripts/unused-exports.ts lists them)`);
  console.log('duplicate pairs        run `duplicates --repo src` (a tool of the build machine)');
}
process.exitCode = circular.length > 0 ? 1 : 0;
