// fast-check arbitraries for manifest text in the many layouts real files
// use: comments around `---`, blank lines, `...` ends, CRLF, a BOM, quoted
// keys, empty documents, flow collections, block scalars, and the spellings
// where YAML 1.2 core reads numbers, booleans and nulls (`0o14`, `0x1F`,
// `.inf`, `~`) or does not (`yes`, `1_000`, `014` is decimal).

import fc from 'fast-check';

/** A YAML node whose scalars are written as they appear in the text. */
export type Node =
  | { readonly raw: string }
  | { readonly map: readonly (readonly [string, Node])[] }
  | { readonly seq: readonly Node[] }
  | { readonly block: string };

export interface Layout {
  readonly indent: number;
  /** `key:\n- item` (true) or `key:\n  - item`. */
  readonly compactSeq: boolean;
  readonly comments: boolean;
  readonly blankLines: boolean;
}

const raw = (text: string): Node => ({ raw: text });

const STRING_SPELLINGS = ['web', '"web"', "'web'", 'a b c', '"a: b"', "'it''s'", '"\\u00e9t\\u00e9"', '""', "''", 'x-1.2', 'http://x/y?z=1'];
const OTHER_SPELLINGS = ['0o14', '0x1F', '0x1f', '014', '.inf', '-.Inf', '.NaN', '~', 'null', 'Null', 'true', 'False', 'yes', 'no', 'on', '1_000', '1e3', '-0', '+12', '0.5', '"1"', "'true'"];
const PORT_SPELLINGS = ['80', '8080', '0x50', '0o120', '+80', '80.0', '8_0', '"80"', '~', '65536', '1e2', '443'];
const NAMES = ['web', 'db', 'api-1', 'cache', 'x', 'Web', 'a.b', ''];

const key = (name: string): fc.Arbitrary<string> => fc.constantFrom(name, name, name, `"${name}"`, `'${name}'`);
const scalar = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...STRING_SPELLINGS) }, { weight: 1, arbitrary: fc.constantFrom(...OTHER_SPELLINGS) }).map(raw);
const name = fc.constantFrom(...NAMES);

const labels: fc.Arbitrary<Node> = fc.oneof(
  fc.constant(raw('{}')),
  fc.constant(raw('{app: web, tier: "db"}')),
  fc.uniqueArray(fc.constantFrom('app', 'tier', 'app.kubernetes.io/name', 'version'), { maxLength: 3 }).chain((names) =>
    fc.tuple(...names.map((label) => fc.tuple(key(label), scalar))).map((pairs) => ({ map: pairs as [string, Node][] })),
  ),
);

const annotations: fc.Arbitrary<Node> = fc
  .constantFrom('|\n  line one\n  line two\n', '>-\n  folded\n  text\n\n  para\n', '|+\n  kept\n\n', 'plain\n  continued', '"quoted\\n"')
  .map((text) => (text.startsWith('|') || text.startsWith('>') ? { block: text } : raw(text)))
  .map((value) => ({ map: [['note', value]] as [string, Node][] }));

const metadata = fc.tuple(key('name'), name, fc.option(fc.constantFrom('default', 'prod', '"prod"')), fc.option(labels), fc.option(annotations)).map(
  ([nameKey, value, namespace, labelNode, annotationNode]): Node => ({
    map: [
      [nameKey, raw(value === '' ? '""' : value)],
      ...(namespace === null ? [] : [['namespace', raw(namespace)] as [string, Node]]),
      ...(labelNode === null ? [] : [['labels', labelNode] as [string, Node]]),
      ...(annotationNode === null ? [] : [['annotations', annotationNode] as [string, Node]]),
    ],
  }),
);

const port = fc.tuple(fc.constantFrom(...PORT_SPELLINGS), fc.option(fc.constantFrom('http', 'dns', '"grpc"'))).map(
  ([number, portName]): Node => ({ map: [['port', raw(number)], ...(portName === null ? [] : [['name', raw(portName)] as [string, Node]])] }),
);

const service = fc.tuple(metadata, fc.array(port, { maxLength: 2 }), fc.option(labels), fc.option(fc.constantFrom('None', '~', '10.96.0.10', '""'))).map(
  ([meta, ports, selector, clusterIP]): Node => ({
    map: [
      ['apiVersion', raw('v1')],
      ['kind', raw('Service')],
      ['metadata', meta],
      [
        'spec',
        {
          map: [
            ['ports', ports.length === 0 ? raw('[]') : { seq: ports }],
            ...(selector === null ? [] : [['selector', selector] as [string, Node]]),
            ...(clusterIP === null ? [] : [['clusterIP', raw(clusterIP)] as [string, Node]]),
          ],
        },
      ],
    ],
  }),
);

const pod = fc.tuple(metadata, fc.option(fc.constantFrom('10.244.0.5', '"10.244.0.6"', '~'))).map(
  ([meta, podIP]): Node => ({
    map: [
      ['apiVersion', raw('v1')],
      ['kind', raw('Pod')],
      ['metadata', meta],
      ['spec', { map: [['containers', { seq: [{ map: [['name', raw('c')], ['image', raw('nginx:1.27')]] }] }]] }],
      ...(podIP === null ? [] : [['status', { map: [['podIP', raw(podIP)]] }] as [string, Node]]),
    ],
  }),
);

const configMap = metadata.map(
  (meta): Node => ({ map: [['apiVersion', raw('v1')], ['kind', raw('ConfigMap')], ['metadata', meta], ['data', { map: [['a.json', { block: '|\n  {"x": [1, 2]}\n' }]] }]] }),
);

const list = fc.array(fc.oneof(service, pod), { minLength: 1, maxLength: 2 }).map(
  (items): Node => ({ map: [['apiVersion', raw('v1')], ['kind', raw('List')], ['items', { seq: items }]] }),
);

/** Renders a node at an indentation (the node's own lines start there). */
export function render(node: Node, layout: Layout, indent = 0): string[] {
  const pad = ' '.repeat(indent);
  if ('raw' in node) return [`${pad}${node.raw}`];
  if ('block' in node) return [`${pad}${node.block}`];
  if ('seq' in node) {
    return node.seq.flatMap((item) => {
      const [first = '', ...rest] = render(item, layout, indent + 2);
      return [`${pad}- ${first.trimStart()}`, ...rest];
    });
  }
  return node.map.flatMap(([name, value]) => {
    const comment = layout.comments ? ' # why' : '';
    if ('raw' in value) return [`${pad}${name}: ${value.raw}${value.raw.includes('\n') ? '' : comment}`];
    if ('block' in value) return [`${pad}${name}: ${reindent(value.block, indent + layout.indent)}`];
    const childIndent = 'seq' in value && layout.compactSeq ? indent : indent + layout.indent;
    return [`${pad}${name}:${comment}`, ...(layout.blankLines ? [''] : []), ...render(value, layout, childIndent)];
  });
}

/** Block scalars are written with two-space content; move it under the key. */
function reindent(block: string, indent: number): string {
  return block.replace(/\n {2}/g, `\n${' '.repeat(indent)}`).replace(/\n$/, '');
}

const layout: fc.Arbitrary<Layout> = fc.record({ indent: fc.constantFrom(2, 4), compactSeq: fc.boolean(), comments: fc.boolean(), blankLines: fc.boolean() });

/** How one document is framed: what comes before it and after it. */
const framing = fc.record({
  before: fc.constantFrom('---\n', '--- # section\n', '# a comment\n---\n', '---\n# a comment\n\n', '\n---\n', '---\n---\n', '---\n# only a comment\n---\n'),
  after: fc.constantFrom('', '', '...\n', '# trailing comment\n', '\n'),
  flowOnMarker: fc.constantFrom(false, false, false, true),
});

/** A whole manifest file: documents in varied framings, then optionally CRLF and a BOM. */
export const manifestText: fc.Arbitrary<string> = fc
  .tuple(
    fc.array(fc.tuple(fc.oneof(service, pod, configMap, list), layout, framing), { minLength: 1, maxLength: 4 }),
    fc.boolean(),
    fc.boolean(),
    fc.boolean(),
  )
  .map(([documents, firstWithoutMarker, crlf, bom]) => {
    const text = documents
      .map(([document, documentLayout, frame], index) => {
        const body = frame.flowOnMarker ? `--- ${toFlow(document)}\n` : `${render(document, documentLayout).join('\n')}\n`;
        const before = frame.flowOnMarker ? frame.before.replace(/---\n$/, '').replace(/--- # section\n$/, '') : frame.before;
        return index === 0 && firstWithoutMarker && !frame.flowOnMarker ? `${body}${frame.after}` : `${before}${body}${frame.after}`;
      })
      .join('');
    const lines = crlf ? text.replace(/\n/g, '\r\n') : text;
    return bom ? `\uFEFF${lines}` : lines;
  });

/** The document as one flow mapping (block scalars become quoted strings). */
function toFlow(node: Node): string {
  if ('raw' in node) return node.raw.includes('\n') ? JSON.stringify(node.raw) : node.raw;
  if ('block' in node) return JSON.stringify(node.block);
  if ('seq' in node) return `[${node.seq.map(toFlow).join(', ')}]`;
  return `{${node.map.map(([name, value]) => `${name}: ${toFlow(value)}`).join(', ')}}`;
}

/** Characters and fragments that break YAML in interesting ways. */
const DAMAGE = [' ', '\t', ':', ': ', '- ', '#', ' #', '"', "'", '[', ']', '{', '}', ',', '\n', '\n  ', '? ', '|', '>', '!', '&', '*', '%', '@', '`', '\\', '---', '...', '\r', '\n---\n', '\n...\n', '\u0085', '\u2028', '\uFEFF', '~', ': |\n  x\n'];

/** Manifest text with a few characters replaced or inserted: often broken, sometimes subtly different. */
export const damagedManifestText: fc.Arbitrary<string> = fc
  .tuple(manifestText, fc.array(fc.tuple(fc.nat(), fc.nat(3), fc.constantFrom(...DAMAGE)), { minLength: 1, maxLength: 4 }))
  .map(([text, edits]) =>
    edits.reduce((damaged, [at, remove, insert]) => {
      const position = at % (damaged.length + 1);
      return damaged.slice(0, position) + insert + damaged.slice(position + remove);
    }, text),
  );

const YAMLISH = ['a', 'b: ', 'c:', '- ', '-', '\n', '\n', '\n', '  ', ' ', '[', ']', '{', '}', ',', '"x"', "'y'", '"', "'", '? ', ': ', ':', '---', '...', '#c', ' #c',
  '|', '>', '|-', '1', '0x1F', '.5', '~', 'null', '\t', '\r\n', 'items: ', '!', '*', '&', '%', '@', '\\', 'é', '\nk: ', '\n  k: ', '\n- ', '\n  - ',
  '\n    x: ', 'v', ' v', '\n---\n', '\n  ', '"a\\nb"', "'it''s'", ' |\n  ', ' >-\n    ', '\n\n', '\\\n', '\n  #c\n', '"a\n  b"', ' \t', '[a,\n b]', '{a: 1,\n b: 2}'];

/** Short YAML-like text from tokens: mappings, lists, scalars, markers and junk in any order. */
export const yamlishText: fc.Arbitrary<string> = fc.array(fc.constantFrom(...YAMLISH), { maxLength: 40 }).map((tokens) => `k: ${tokens.join('')}`);
