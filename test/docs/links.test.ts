// The user docs hold together: every relative link in README.md and docs/*.md reaches an existing
// file (and heading), and every docs/*.md#anchor that src/ cites (explain output, warnings) exists.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');

/** GitHub's heading anchor: markup dropped, lower case, punctuation dropped, spaces to hyphens; repeats get -1, -2, … */
export function githubSlug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // links and images keep their text
    .split('`')
    .map((part, i) => (i % 2 === 1 ? part : part.replace(/<[^>]+>/g, '').replace(/\*/g, ''))) // code spans keep < > and *
    .join('');
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** Every anchor a Markdown file offers: its headings (outside code fences) and explicit `<a id|name>`. */
export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fence: string | undefined;
  for (const line of markdown.split('\n')) {
    const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (marker !== undefined) {
      if (fence === undefined) fence = marker[0];
      else if (marker[0] === fence) fence = undefined;
      continue;
    }
    if (fence !== undefined) continue;
    for (const m of line.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(m[1]!);
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading === null) continue;
    const base = githubSlug(heading[1]!);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

/** Relative link targets of a Markdown file, outside code fences and inline code. */
function linksOf(markdown: string): string[] {
  const links: string[] = [];
  let inFence = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) {
      inFence = !inFence;
      continue;
    }
    if (inFence) continue;
    const prose = line.replace(/`[^`]*`/g, '');
    for (const m of prose.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) links.push(m[1]!);
  }
  return links.filter((l) => !/^[a-z][a-z0-9+.-]*:/i.test(l));
}

function markdownFiles(): string[] {
  const docs = readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => join('docs', f));
  return ['README.md', ...docs];
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

const anchorCache = new Map<string, Set<string>>();
function anchorsOfFile(path: string): Set<string> {
  let anchors = anchorCache.get(path);
  if (anchors === undefined) {
    anchors = anchorsOf(readFileSync(path, 'utf8'));
    anchorCache.set(path, anchors);
  }
  return anchors;
}

/** Why a link from `from` (a repository-relative file) is broken, or undefined when it works. */
function brokenLink(from: string, link: string): string | undefined {
  const [pathPart, anchor] = link.split('#', 2) as [string, string | undefined];
  const target = pathPart === '' ? join(root, from) : resolve(root, dirname(from), decodeURIComponent(pathPart));
  if (!existsSync(target)) return `${relative(root, target)} does not exist`;
  if (anchor === undefined || anchor === '') return undefined;
  if (!target.endsWith('.md')) return undefined;
  return anchorsOfFile(target).has(anchor) ? undefined : `${relative(root, target)} has no heading #${anchor}`;
}

describe('GitHub heading anchors', () => {
  it.each([
    { heading: 'CoreDNS corners', slug: 'coredns-corners' },
    { heading: 'TXT, PTR and SOA: NXDOMAIN and NODATA', slug: 'txt-ptr-and-soa-nxdomain-and-nodata' },
    { heading: '`clusterdns health`', slug: 'clusterdns-health' },
    { heading: 'Short names: `--search-namespace NS`', slug: 'short-names---search-namespace-ns' },
    { heading: '`startClusterDns(options)`', slug: 'startclusterdnsoptions' },
    { heading: 'Pod names (`<dashed-ip>.<ns>.pod`)', slug: 'pod-names-dashed-ipnspod' },
  ])('$heading -> #$slug', ({ heading, slug }) => {
    expect(githubSlug(heading)).toBe(slug);
  });

  it('numbers repeated headings and skips code fences', () => {
    const anchors = anchorsOf('# A\n## Tests\n```sh\n# not a heading\n```\n## Tests\n');
    expect([...anchors]).toEqual(['a', 'tests', 'tests-1']);
  });
});

describe('links in README.md and docs/', () => {
  for (const file of markdownFiles()) {
    it(`${file}: every relative link reaches a file and heading`, () => {
      const text = readFileSync(join(root, file), 'utf8');
      const broken = linksOf(text).flatMap((link) => {
        const why = brokenLink(file, link);
        return why === undefined ? [] : [`${link}: ${why}`];
      });
      expect(broken).toEqual([]);
    });
  }
});

describe('docs anchors cited in src/', () => {
  it('every docs/*.md page and #anchor in the source exists', () => {
    const cited = sourceFiles(join(root, 'src')).flatMap((path) =>
      [...readFileSync(path, 'utf8').matchAll(/docs\/([\w-]+\.md)(?:#([\w-]+))?/g)].map((m) => ({
        in: relative(root, path),
        page: `docs/${m[1]!}`,
        anchor: m[2],
      })),
    );
    expect(cited.length).toBeGreaterThan(0);
    const missing = cited.filter(
      (c) => !existsSync(join(root, c.page)) || (c.anchor !== undefined && !anchorsOfFile(join(root, c.page)).has(c.anchor)),
    );
    expect(missing).toEqual([]);
  });

  it('user-facing text cites no spec sections, issues or the team workspace', () => {
    const pattern = /spec §|\bissue \d+|our workspace|\.\.\/shared\//;
    const offenders = [
      ...markdownFiles().map((file) => ({ file, text: readFileSync(join(root, file), 'utf8') })),
      // strings in src/ (comments are for maintainers and may cite the spec)
      ...sourceFiles(join(root, 'src')).map((path) => ({
        file: relative(root, path),
        text: readFileSync(path, 'utf8')
          .split('\n')
          .filter((line) => !/^\s*(\/\/|\/?\*)/.test(line))
          .map((line) => line.replace(/\/\/.*$/, ''))
          .join('\n'),
      })),
    ].filter(({ text }) => pattern.test(text));
    expect(offenders.map((o) => `${o.file}: ${pattern.exec(o.text)![0]}`)).toEqual([]);
  });
});
