// The Corefile grammar alone: valid rows (text -> server blocks), then
// invalid rows, each with the reason and the line it names.

import { describe, expect, it } from 'vitest';
import { parseCorefile, type Directive, type ServerBlock } from '../../src/corefile/parse.js';

/** A compact view of a parse: `keys: directive(args)[{...}]` lines. */
function show(blocks: readonly ServerBlock[]): string[] {
  const directive = (d: Directive): string =>
    `${d.name}(${d.args.join(' ')})@${d.line}${d.block ? `{${d.block.map(directive).join('; ')}}` : ''}`;
  return blocks.map((block) => `${block.keys.join(',')}: ${block.directives.map(directive).join('; ')}`);
}

const valid: { name: string; text: string; env?: Record<string, string>; blocks: string[] }[] = [
  {
    name: 'one block, directives with arguments',
    text: '.:53 {\n  errors\n  forward . 8.8.8.8 1.1.1.1\n}\n',
    blocks: ['.:53: errors()@2; forward(. 8.8.8.8 1.1.1.1)@3'],
  },
  {
    name: 'nested blocks, any depth',
    text: '. {\n kubernetes cluster.local {\n   pods insecure\n   x {\n     y 1\n   }\n }\n}',
    blocks: ['.: kubernetes(cluster.local)@2{pods(insecure)@3; x()@4{y(1)@5}}'],
  },
  {
    name: 'comments: whole lines and after tokens',
    text: '# header\n.:53 { # opens\n  cache 30 # seconds\n  # log\n}',
    blocks: ['.:53: cache(30)@3'],
  },
  {
    name: 'quoted strings keep spaces, braces and #; \\" escapes a quote',
    text: '. {\n  log . "{remote} # {name}"\n  x "a \\"b\\"" "{"\n}',
    blocks: ['.: log(. {remote} # {name})@2; x(a "b" {)@3'],
  },
  {
    name: 'several keys, comma or space separated, and two blocks',
    text: 'example.com:53, example.org {\n forward . 10.0.0.1\n}\n.:53 {\n whoami\n}',
    blocks: ['example.com:53,example.org: forward(. 10.0.0.1)@2', '.:53: whoami()@5'],
  },
  {
    name: '{$ENV} and {%ENV%} are substituted; unset is empty',
    text: '. {\n forward . {$UP} {%UP2%}\n x a{$UNSET}b\n}',
    env: { UP: '10.0.0.1', UP2: '10.0.0.2' },
    blocks: ['.: forward(. 10.0.0.1 10.0.0.2)@2; x(ab)@3'],
  },
  {
    name: 'a closing brace on the directive line ends the block',
    text: '. { errors }',
    blocks: ['.: errors()@1'],
  },
  {
    name: 'CRLF line ends and tabs',
    text: '.:53 {\r\n\tcache\t30\r\n}\r\n',
    blocks: ['.:53: cache(30)@2'],
  },
  { name: 'empty file', text: '# nothing\n', blocks: [] },
];

const invalid: { name: string; text: string; line: number; reason: RegExp }[] = [
  { name: 'unclosed block', text: '.:53 {\n  errors\n', line: 1, reason: /not closed \(missing '\}'\)/ },
  { name: 'unclosed nested block', text: '. {\n kubernetes {\n  pods insecure\n', line: 2, reason: /block of kubernetes opened on line 2 is not closed/ },
  { name: 'keys without a block', text: '.:53\n', line: 1, reason: /has no '\{'/ },
  { name: 'a stray closing brace', text: '}\n', line: 1, reason: /expected server block keys/ },
  { name: 'unclosed quote', text: '. {\n log "abc\n}\n', line: 2, reason: /quoted string is not closed/ },
  { name: 'a block with no directive', text: '. {\n {\n }\n}', line: 2, reason: /a block must follow a directive/ },
  { name: 'absurd nesting', text: `. {\n${'a {\n'.repeat(40)}${'}\n'.repeat(41)}`, line: 33, reason: /nested deeper than 32/ },
];

describe('parseCorefile: valid', () => {
  for (const row of valid) {
    it(row.name, () => {
      const result = parseCorefile(row.text, row.env ?? {});
      if (!result.ok) throw new Error(`line ${result.error.line}: ${result.error.message}`);
      expect(show(result.blocks)).toEqual(row.blocks);
    });
  }

  it('keeps a top-level import apart from the server blocks (k3s)', () => {
    const result = parseCorefile('.:53 {\n import /etc/coredns/custom/*.override\n}\nimport /etc/coredns/custom/*.server\n');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.topLevel.map((d) => `${d.name} ${d.args.join(' ')}@${d.line}`)).toEqual(['import /etc/coredns/custom/*.server@4']);
    expect(show(result.blocks)).toEqual(['.:53: import(/etc/coredns/custom/*.override)@2']);
  });
});

describe('parseCorefile: invalid', () => {
  for (const row of invalid) {
    it(row.name, () => {
      const result = parseCorefile(row.text);
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.error.message).toMatch(row.reason);
      expect(result.error.line).toBe(row.line);
    });
  }
});
