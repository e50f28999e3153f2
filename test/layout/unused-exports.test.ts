// Every `export` in src/ is imported by some other file (src/, test/, bench/ or examples/):
// a name only its own file uses stays unexported, so a reader can trust that an export has a
// caller elsewhere. Folder faces (index.ts), src/index.ts (the Node API) and src/cli.ts are
// exempt: they are the doors, whoever walks through them.
//
// Syntax only (no type checking), so the whole tree takes a second or two: each file is
// parsed once, every import, re-export, import() and import('…') type is resolved to a file,
// and what it takes is marked used. `import * as`, `export *` and an import() whose result is
// not destructured take the whole file.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const SCANNED = ['src', 'test', 'bench', 'examples'];
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'build']);
/** Where the examples import the package by name from (tsconfig.json paths). */
const PACKAGE = { name: 'clusterdns', entry: 'src/index.ts' };

function sourceFiles(dir: string, out: string[] = []): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return out; // a scanned folder the tree does not have
  }
  for (const entry of entries) {
    if (SKIPPED_DIRS.has(entry)) continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) sourceFiles(path, out);
    else if (/\.(ts|mts|js|mjs)$/.test(entry) && !entry.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The file an import specifier names, or undefined (packages, node: modules, files outside the tree). */
function resolveSpecifier(root: string, from: string, specifier: string): string | undefined {
  if (specifier === PACKAGE.name) return join(root, PACKAGE.entry);
  if (!specifier.startsWith('.')) return undefined;
  // bench/ runs against the build: ../dist/x.js is src/x.ts.
  const path = resolve(dirname(from), specifier).replace(join(root, 'dist'), join(root, 'src'));
  return [path.replace(/\.js$/, '.ts'), path, `${path}.ts`, join(path, 'index.ts')].find(isFile);
}

function exportKeyword(node: ts.Node): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
}

/** Names a file declares with `export` (or re-exports by name), each with its 1-based line. */
function exportedNames(file: ts.SourceFile): Map<string, number> {
  const names = new Map<string, number>();
  const line = (node: ts.Node): number => file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1;
  for (const statement of file.statements) {
    if (ts.isExportDeclaration(statement) && statement.exportClause && ts.isNamedExports(statement.exportClause)) {
      for (const element of statement.exportClause.elements) names.set(element.name.text, line(element));
    } else if (ts.isExportAssignment(statement)) {
      names.set('default', line(statement));
    } else if (exportKeyword(statement)) {
      const modifiers = ts.getModifiers(statement as ts.HasModifiers) ?? [];
      if (modifiers.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword)) names.set('default', line(statement));
      else if (ts.isVariableStatement(statement)) {
        for (const declaration of statement.declarationList.declarations) {
          if (ts.isIdentifier(declaration.name)) names.set(declaration.name.text, line(declaration));
        }
      } else if ('name' in statement && statement.name && ts.isIdentifier(statement.name as ts.Node)) {
        names.set((statement.name as ts.Identifier).text, line(statement));
      }
    }
  }
  return names;
}

/** `src/x.ts:12 name` for every export in src/ that no other scanned file takes. */
function unusedExports(root: string): string[] {
  const files = SCANNED.flatMap((dir) => sourceFiles(join(root, dir)));
  const taken = new Map<string, Set<string>>(); // file -> names taken from it ('*': all)
  const take = (target: string | undefined, name: string): void => {
    if (target === undefined) return;
    let names = taken.get(target);
    if (names === undefined) taken.set(target, (names = new Set()));
    names.add(name);
  };
  const exported = new Map<string, Map<string, number>>();

  for (const path of files) {
    const file = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
    if (path.startsWith(join(root, 'src') + '/')) exported.set(path, exportedNames(file));
    const target = (specifier: ts.Node | undefined): string | undefined =>
      specifier !== undefined && ts.isStringLiteral(specifier) ? resolveSpecifier(root, path, specifier.text) : undefined;
    const visit = (node: ts.Node): void => {
      if (ts.isImportDeclaration(node)) {
        const from = target(node.moduleSpecifier);
        const clause = node.importClause;
        if (clause?.name) take(from, 'default');
        const bindings = clause?.namedBindings;
        if (bindings && ts.isNamespaceImport(bindings)) take(from, '*');
        else if (bindings) for (const element of bindings.elements) take(from, (element.propertyName ?? element.name).text);
      } else if (ts.isExportDeclaration(node)) {
        const from = target(node.moduleSpecifier);
        const clause = node.exportClause;
        if (clause === undefined || ts.isNamespaceExport(clause)) take(from, '*');
        else for (const element of clause.elements) take(from, (element.propertyName ?? element.name).text);
      } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
        const from = target(node.arguments[0]);
        let parent = node.parent;
        while (ts.isAwaitExpression(parent) || ts.isParenthesizedExpression(parent)) parent = parent.parent;
        if (ts.isVariableDeclaration(parent) && ts.isObjectBindingPattern(parent.name)) {
          for (const element of parent.name.elements) take(from, (element.propertyName ?? element.name).getText(file));
        } else take(from, '*');
      } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
        const from = target(node.argument.literal);
        take(from, node.qualifier ? node.qualifier.getText(file).split('.')[0]! : '*');
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
  }

  const doors = new Set([join(root, 'src/cli.ts')]);
  const unused: string[] = [];
  for (const [path, names] of exported) {
    if (path.endsWith('/index.ts') || doors.has(path)) continue;
    const takenHere = taken.get(path) ?? new Set<string>();
    if (takenHere.has('*')) continue;
    for (const [name, line] of names) {
      if (!takenHere.has(name)) unused.push(`${relative(root, path)}:${line} ${name}`);
    }
  }
  return unused.sort();
}

describe('exports', () => {
  it('every export in src/ outside the faces is imported by another file', () => {
    // A name listed here is used only in its own file: drop its `export` (or delete it if
    // nothing calls it at all).
    expect(unusedExports(ROOT)).toEqual([]);
  });

  it('the check finds an unused export, and sees every way a file can be taken from', () => {
    const root = mkdtempSync(join(tmpdir(), 'clusterdns-exports-'));
    try {
      const write = (path: string, text: string): void => {
        mkdirSync(dirname(join(root, path)), { recursive: true });
        writeFileSync(join(root, path), text);
      };
      write('src/a.ts', 'export const used = 1;\nexport function lonely(): void {}\nexport interface Shape { x: number }\nexport type Alias = string;\n');
      write('src/b.ts', "export { used } from './a.js';\nexport const viaDynamic = 2;\nexport const viaStar = 3;\n");
      write('src/c.ts', 'export default 1;\nexport class OnlyHere {}\n');
      write('src/all.ts', 'export const one = 1;\nexport const two = 2;\n');
      write('src/face/index.ts', 'export const faceOnly = 1;\n');
      write('test/a.test.ts', "import type { Shape } from '../src/a.js';\nimport { used } from '../src/b.js';\nimport * as all from '../src/all.js';\n");
      write('test/d.test.ts', "const { viaDynamic } = await import('../src/b.js');\ntype T = import('../src/a.js').Alias;\n");
      write('bench/x.mjs', "import c from '../dist/c.js';\n");
      expect(unusedExports(root)).toEqual(['src/a.ts:2 lonely', 'src/b.ts:3 viaStar', 'src/c.ts:2 OnlyHere']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
