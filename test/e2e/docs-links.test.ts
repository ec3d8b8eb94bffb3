import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { ROOT } from '../helpers/run-cli.js';

/**
 * issue 13 item 12: the docs are self-contained. The docs, the README and every source, test,
 * bench, script and worker file may only point at files of this repository: no `DESIGN §`,
 * `blt-spec §` or bare `spec §` (design notes and the reference's description kept outside the
 * repository; they live in docs/design.md and docs/reference.md), no measurement notes kept
 * elsewhere, no paths of a build machine (`/work/…`, `../shared`); every `docs/x.md`, relative
 * Markdown link and repository path in backticks exists; every `docs/reference.md §N` /
 * `docs/design.md §N` names a section that exists.
 */
const SCANNED_DIRS = ['docs', 'src', 'test', 'bench', 'scripts', 'workers'];
const TEXT = /\.(md|ts|mts|mjs|js|wat)$/;
const SELF = 'test/e2e/docs-links.test.ts';

function scannedFiles(): string[] {
  const out = ['README.md'];
  const walk = (d: string): void => {
    for (const e of readdirSync(join(ROOT, d), { withFileTypes: true })) {
      if (e.name.startsWith('.') || e.name === 'node_modules') continue;
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (TEXT.test(e.name) && p !== SELF) out.push(p);
    }
  };
  for (const d of SCANNED_DIRS) if (existsSync(join(ROOT, d))) walk(d);
  return out;
}

const OUTSIDE: Array<[RegExp, string]> = [
  [/\bDESIGN(\.md)?\b/, 'the design notes outside the repository (use docs/design.md §N)'],
  [/blt-spec/, 'the reference description outside the repository (use docs/reference.md §N)'],
  [/(?<!reference\.md |design\.md )\bspec §/, 'a "spec §" outside the repository (use docs/reference.md §N)'],
  [/dependency-measurements/, 'measurement notes outside the repository (state the figures where they are used)'],
  [/\/work\//, 'a path of a build machine'],
  [/\.\.\/shared\b/, 'a path outside the repository'],
];

/** Paths of tracked code and docs (data/ and models/ hold generated, partly ignored files: not checked). */
const REPO_PATH =
  /^(?:docs|src|test|bench|scripts|workers)\/[\w./-]+\.(?:md|ts|mts|mjs|js|json|wat|yaml|yml|txt|jsonl)$/;

/** `## 3. Patching`, `### 3.2 Entropy mode` → "3", "3.2". */
function sectionsOf(markdown: string): Set<string> {
  return new Set([...markdown.matchAll(/^#{2,4} (\d+(?:\.\d+)*)\.? /gm)].map((m) => m[1] as string));
}

/** Every problem of one file's text: outside references, missing targets, unknown sections. */
export function problemsOf(
  file: string,
  text: string,
  exists: (repoPath: string) => boolean,
  sections: Record<string, Set<string>>,
): string[] {
  const out: string[] = [];
  text.split('\n').forEach((line, i) => {
    for (const [re, what] of OUTSIDE)
      if (re.test(line)) out.push(`${file}:${i + 1}: ${what}: ${line.trim().slice(0, 120)}`);
  });
  const check = (target: string, where: string): void => {
    if (!exists(target)) out.push(`${file}: ${where} → ${target} does not exist`);
  };
  for (const m of text.matchAll(/(?<![\w/.-])(docs\/[\w.-]+\.md)\b/g)) check(m[1] as string, m[0]);
  for (const m of text.matchAll(/`([^`\s]+)`/g)) {
    const p = (m[1] as string).replace(/[:#].*$/, '');
    if (REPO_PATH.test(p)) check(p, m[0]);
  }
  if (file.endsWith('.md')) {
    for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = (m[1] as string).replace(/#.*$/, '');
      if (target === '' || /^[a-z]+:/.test(target)) continue;
      check(relative(ROOT, join(ROOT, dirname(file), target)), m[0]);
    }
  }
  for (const m of text.matchAll(
    /(docs\/(?:reference|design)\.md)((?: ?§ ?\d+(?:\.\d+)*(?: ?[–-] ?§?\d+(?:\.\d+)*)?,?)+)/g,
  )) {
    const known = sections[m[1] as string] ?? new Set<string>();
    for (const n of (m[2] as string).matchAll(/\d+(?:\.\d+)*/g))
      if (!known.has(n[0])) out.push(`${file}: ${m[0].trim()}: no section ${n[0]}`);
  }
  return out;
}

describe('docs: every reference points inside the repository', () => {
  const sections = {
    'docs/reference.md': sectionsOf(readFileSync(join(ROOT, 'docs/reference.md'), 'utf8')),
    'docs/design.md': sectionsOf(readFileSync(join(ROOT, 'docs/design.md'), 'utf8')),
  };
  const exists = (p: string): boolean => existsSync(join(ROOT, p));

  it('the check finds each kind of problem (and accepts what is fine)', () => {
    const text = [
      'See DESIGN §5 and blt-spec §3.2, spec §8.4, /work/shared/x and ../shared/y.',
      'Measured in dependency-measurements §3.',
      'Read docs/no-such-page.md, `src/no/such-file.ts`, [a link](missing.md) and docs/reference.md §99.',
      'Fine: docs/reference.md §3.2, docs/design.md §5, docs/reference.md §3.5–§3.7, `src/index.ts`, [ok](shards.md), [web](https://example.org).',
    ].join('\n');
    const p = problemsOf('docs/example.md', text, exists, sections);
    for (const want of [
      /DESIGN/,
      /reference description/,
      /"spec §"/,
      /build machine/,
      /outside the repository: /,
      /measurement notes/,
      /no-such-page\.md does not exist/,
      /src\/no\/such-file\.ts does not exist/,
      /docs\/missing\.md does not exist/,
      /no section 99/,
    ]) {
      assert.ok(
        p.some((x) => want.test(x)),
        `${want}: ${p.join('\n')}`,
      );
    }
    assert.equal(p.length, 10, p.join('\n'));
  });

  it('the docs, the README, the sources and the tests mention no file outside the repository, and every link resolves', () => {
    const files = scannedFiles();
    assert.ok(
      files.includes('docs/reference.md') && files.includes('src/index.ts') && files.length > 100,
      `${files.length} files`,
    );
    const problems = files.flatMap((f) => problemsOf(f, readFileSync(join(ROOT, f), 'utf8'), exists, sections));
    assert.deepEqual(problems, []);
  });
});
