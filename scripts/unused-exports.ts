/**
 * Lists the exports of src/ that no other file imports (src, test, bench, scripts, workers), and
 * barrels (index.ts) that nothing imports. Syntax only (the TypeScript parser, no type check): an
 * export counts as used when some file imports it by name, re-exports it, or imports its module
 * as a namespace / dynamically. Exports of src/index.ts (the public API) are used by definition.
 *
 *   node --import tsx scripts/unused-exports.ts          # one line per unused export
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const ROOT = resolve(import.meta.dirname, '..');
const SCAN = ['src', 'test', 'bench', 'scripts', 'workers'];

function walk(dir: string, out: string[]): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (name === 'node_modules' || name.startsWith('.')) continue;
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.(ts|mts|mjs|js)$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** An import specifier of `from` → the absolute .ts path it names, or null for packages. */
function resolveSpec(from: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  const base = resolve(dirname(from), spec);
  for (const c of [
    base.replace(/\.js$/, '.ts'),
    base.replace(/\.mjs$/, '.mts'),
    base,
    `${base}.ts`,
    join(base, 'index.ts'),
  ])
    if (statSync(c, { throwIfNoEntry: false })?.isFile()) return c;
  return null;
}

export interface ExportUse {
  /** file → names imported from it ('*' = everything), re-exports followed */
  used: Map<string, Set<string>>;
  /** file → its exported names (with the line of each) */
  exported: Map<string, Map<string, number>>;
}

interface ReExport {
  /** the name this file exports */
  name: string;
  from: string;
  /** the name in `from` */
  fromName: string;
}

export function scanExports(): ExportUse {
  const files = SCAN.flatMap((d) => walk(join(ROOT, d), []));
  const used = new Map<string, Set<string>>();
  const exported = new Map<string, Map<string, number>>();
  const reexports = new Map<string, ReExport[]>();
  const stars = new Map<string, string[]>();
  const work: Array<[string, string]> = [];
  const use = (file: string | null, name: string): void => {
    if (file === null) return;
    let s = used.get(file);
    if (!s) used.set(file, (s = new Set()));
    if (s.has(name)) return;
    s.add(name);
    work.push([file, name]);
  };
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    const mine = new Map<string, number>();
    const line = (n: ts.Node): number => sf.getLineAndCharacterOfPosition(n.getStart()).line + 1;
    const visit = (node: ts.Node): void => {
      if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
        const target = resolveSpec(file, node.moduleSpecifier.text);
        const b = node.importClause?.namedBindings;
        if (node.importClause?.name) use(target, 'default');
        if (b && ts.isNamespaceImport(b)) use(target, '*');
        if (b && ts.isNamedImports(b)) for (const e of b.elements) use(target, (e.propertyName ?? e.name).text);
        if (!node.importClause) use(target, '*'); // side-effect import
      } else if (ts.isExportDeclaration(node)) {
        const target =
          node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)
            ? resolveSpec(file, node.moduleSpecifier.text)
            : null;
        if (!node.exportClause) {
          if (target) stars.set(file, [...(stars.get(file) ?? []), target]);
        } else if (ts.isNamedExports(node.exportClause)) {
          for (const e of node.exportClause.elements) {
            mine.set(e.name.text, line(e));
            const fromName = (e.propertyName ?? e.name).text;
            if (target)
              reexports.set(file, [...(reexports.get(file) ?? []), { name: e.name.text, from: target, fromName }]);
          }
        } else if (target) {
          mine.set(node.exportClause.name.text, line(node));
          reexports.set(file, [
            ...(reexports.get(file) ?? []),
            { name: node.exportClause.name.text, from: target, fromName: '*' },
          ]);
        }
      } else if (
        ts.isCallExpression(node) &&
        (node.expression.kind === ts.SyntaxKind.ImportKeyword ||
          (ts.isIdentifier(node.expression) && node.expression.text === 'require')) &&
        node.arguments[0] &&
        ts.isStringLiteral(node.arguments[0])
      ) {
        use(resolveSpec(file, node.arguments[0].text), '*');
      } else if (
        ts.isStringLiteral(node) &&
        !ts.isImportDeclaration(node.parent) &&
        !ts.isExportDeclaration(node.parent) &&
        !ts.isCallExpression(node.parent) &&
        /\.(ts|js)$/.test(node.text) &&
        node.text.includes('/')
      ) {
        // worker entry points and the like, named by path
        use(resolveSpec(file, node.text.startsWith('.') ? node.text : `./${node.text}`), '*');
      }
      const mods = ts.canHaveModifiers(node) ? ts.getModifiers(node) : undefined;
      if (mods?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword) && node.parent === sf) {
        const isDefault = mods.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword);
        if (isDefault) mine.set('default', line(node));
        else if (ts.isVariableStatement(node)) {
          for (const d of node.declarationList.declarations)
            if (ts.isIdentifier(d.name)) mine.set(d.name.text, line(d));
        } else {
          const n = (node as ts.DeclarationStatement).name;
          if (n && ts.isIdentifier(n)) mine.set(n.text, line(node));
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
    exported.set(file, mine);
  }
  const publicApi = join(ROOT, 'src', 'index.ts');
  for (const name of exported.get(publicApi)?.keys() ?? []) use(publicApi, name);
  // follow re-exports: a name used on a barrel is used on the module it comes from
  while (work.length > 0) {
    const [file, name] = work.pop() as [string, string];
    for (const r of reexports.get(file) ?? []) if (name === '*' || r.name === name) use(r.from, r.fromName);
    if (name === '*' || !exported.get(file)?.has(name)) for (const t of stars.get(file) ?? []) use(t, name);
  }
  return { used, exported };
}

/** `src/x.ts:12 name` for each export nothing imports. */
export function unusedExports(): string[] {
  const { used, exported } = scanExports();
  const out: string[] = [];
  for (const [file, names] of exported) {
    const rel = relative(ROOT, file);
    if (!rel.startsWith('src/')) continue;
    const u = used.get(file);
    if (u?.has('*')) continue;
    for (const [name, line] of names) if (!u?.has(name)) out.push(`${rel}:${line} ${name}`);
  }
  return out.sort();
}

if (process.argv[1]?.endsWith('unused-exports.ts')) {
  const list = unusedExports();
  for (const l of list) console.log(l);
  console.log(`${list.length} unused exports in src/`);
}
