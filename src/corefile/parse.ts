// The Corefile grammar (CoreDNS's Caddy-derived format), read into a small
// syntax tree: server blocks of directives, each directive a name, its
// arguments and an optional nested block. Nothing here knows any plugin;
// settings.ts gives the directives their meaning.
//
//   # comment                         (from '#' at the start of a token to the end of the line)
//   .:53 example.org:53 {             (server block keys, space or comma separated)
//       kubernetes cluster.local {    (directive: name and arguments on one line)
//           pods insecure             (nested directives, any depth)
//       }
//       rewrite name "a b" {$TARGET}  (quoted strings; {$ENV} and {%ENV%} substitution)
//   }

/** One directive: `name args... [{ block }]`, with the line it starts on. */
export interface Directive {
  readonly name: string;
  readonly args: readonly string[];
  readonly line: number;
  /** The directives between `{` and `}` after the arguments; absent without a block. */
  readonly block?: readonly Directive[];
}

export interface ServerBlock {
  /** As written, commas removed: `.:53`, `example.org`, `dns://.:53`. */
  readonly keys: readonly string[];
  readonly line: number;
  readonly directives: readonly Directive[];
}

/** A syntax error: the line it was found on and what was expected. */
interface CorefileSyntaxError {
  readonly line: number;
  readonly message: string;
}

type ParseResult =
  | { readonly ok: true; readonly blocks: readonly ServerBlock[]; readonly topLevel: readonly Directive[] }
  | { readonly ok: false; readonly error: CorefileSyntaxError };

interface Token {
  readonly text: string;
  readonly line: number;
  /** Quoted tokens are never braces, comments or block markers. */
  readonly quoted: boolean;
}

/** Deepest nesting of `{ }` accepted: a guard against hostile input, far above any real Corefile. */
const MAX_DEPTH = 32;

export type Environment = Readonly<Record<string, string | undefined>>;

/** Read a Corefile's text; `env` is where `{$NAME}` comes from (unset names become ''). */
export function parseCorefile(text: string, env: Environment = {}): ParseResult {
  const tokens = tokenize(text, env);
  if (!Array.isArray(tokens)) return { ok: false, error: tokens };
  return new Parser(tokens).serverBlocks();
}

/** Split into tokens, tracking lines; quoted strings keep their spaces; `\"` escapes a quote. */
function tokenize(text: string, env: Environment = {}): Token[] | CorefileSyntaxError {
  const tokens: Token[] = [];
  let line = 1;
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '\n') {
      line++;
      i++;
    } else if (ch === ' ' || ch === '\t' || ch === '\r' || ch === '\f' || ch === '\v') {
      i++;
    } else if (ch === '#') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (ch === '"') {
      const start = line;
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length) return { line: start, message: 'a quoted string is not closed (missing ")' };
        const c = text[i]!;
        if (c === '\\' && (text[i + 1] === '"' || text[i + 1] === '\\')) {
          value += text[i + 1];
          i += 2;
          continue;
        }
        if (c === '"') break;
        if (c === '\n') line++;
        value += c;
        i++;
      }
      i++;
      tokens.push({ text: substitute(value, env), line: start, quoted: true });
    } else {
      let value = '';
      while (i < text.length && !/\s/.test(text[i]!) && !(text[i] === '"' && value === '')) {
        value += text[i];
        i++;
      }
      tokens.push({ text: substitute(value, env), line, quoted: false });
    }
  }
  return tokens;
}

/** `{$NAME}` and `{%NAME%}` (Caddy's two spellings): the variable's value, '' when unset. */
function substitute(value: string, env: Environment): string {
  if (!value.includes('{')) return value;
  return value.replace(/\{\$([A-Za-z_][A-Za-z0-9_]*)\}|\{%([A-Za-z_][A-Za-z0-9_]*)%\}/g, (_, a?: string, b?: string) => env[(a ?? b)!] ?? '');
}

class Parser {
  private at = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  serverBlocks(): ParseResult {
    const blocks: ServerBlock[] = [];
    const topLevel: Directive[] = [];
    while (this.at < this.tokens.length) {
      // `import FILE` between server blocks (k3s's `import /etc/coredns/custom/*.server`): its own line.
      const token = this.tokens[this.at]!;
      if (!token.quoted && token.text === 'import') {
        const directive = this.directive(0);
        if ('message' in directive) return { ok: false, error: directive };
        topLevel.push(directive);
        continue;
      }
      const block = this.serverBlock();
      if ('message' in block) return { ok: false, error: block };
      blocks.push(block);
    }
    return { ok: true, blocks, topLevel };
  }

  private serverBlock(): ServerBlock | CorefileSyntaxError {
    const first = this.tokens[this.at]!;
    if (isBrace(first)) return { line: first.line, message: `expected server block keys (like .:53) before '${first.text}'` };
    const keys: string[] = [];
    // Keys run until the '{'; a trailing comma continues them on the next line.
    while (this.at < this.tokens.length && !isOpen(this.tokens[this.at]!)) {
      const token = this.tokens[this.at]!;
      if (isClose(token)) return { line: token.line, message: "unexpected '}': no block is open" };
      keys.push(...token.text.split(',').filter(Boolean));
      this.at++;
    }
    if (this.at >= this.tokens.length) {
      return { line: first.line, message: `server block ${keys.join(' ')} has no '{': expected '${keys.join(' ')} {' and its directives` };
    }
    this.at++; // '{'
    const directives = this.directives(1, first.line, `server block ${keys.join(' ')}`);
    if (!Array.isArray(directives)) return directives;
    return { keys, line: first.line, directives };
  }

  /** Directives up to the matching '}' (consumed). */
  private directives(depth: number, openedAt: number, what: string): Directive[] | CorefileSyntaxError {
    if (depth > MAX_DEPTH) return { line: openedAt, message: `blocks nested deeper than ${MAX_DEPTH}` };
    const directives: Directive[] = [];
    for (;;) {
      const token = this.tokens[this.at];
      if (token === undefined) return { line: openedAt, message: `${what} opened on line ${openedAt} is not closed (missing '}')` };
      if (isClose(token)) {
        this.at++;
        return directives;
      }
      if (isOpen(token)) return { line: token.line, message: "unexpected '{': a block must follow a directive on its line" };
      const directive = this.directive(depth);
      if ('message' in directive) return directive;
      directives.push(directive);
    }
  }

  /** A name, the arguments on its line, and a block when the line ends with '{'. */
  private directive(depth: number): Directive | CorefileSyntaxError {
    const nameToken = this.tokens[this.at++]!;
    const args: string[] = [];
    for (;;) {
      const token = this.tokens[this.at];
      if (token === undefined || token.line !== nameToken.line || isClose(token)) {
        return { name: nameToken.text, args, line: nameToken.line };
      }
      this.at++;
      if (isOpen(token)) {
        const block = this.directives(depth + 1, token.line, `the block of ${nameToken.text}`);
        if (!Array.isArray(block)) return block;
        return { name: nameToken.text, args, line: nameToken.line, block };
      }
      args.push(token.text);
    }
  }
}

function isOpen(token: Token): boolean {
  return !token.quoted && token.text === '{';
}

function isClose(token: Token): boolean {
  return !token.quoted && token.text === '}';
}

function isBrace(token: Token): boolean {
  return isOpen(token) || isClose(token);
}
