// `rewrite` lines as CoreDNS reads them (plugin/rewrite setup.go, name.go),
// for the `name` field; other fields (type, class, ttl, edns0, cname, rcode)
// are reported as not modelled.
//
//   rewrite [continue|stop] name [exact|prefix|suffix|substring|regex] FROM TO [answer auto | answer name FROM TO | answer value FROM TO]...
//   rewrite [continue|stop] {
//       name regex FROM TO
//       answer name FROM TO
//   }

import type { Directive } from './parse.js';
import { NAME_MATCHES, type NameMatch, type PatternRewrite, type RewriteRule } from './rewrite.js';

type RewriteSyntax =
  | { kind: 'rule'; rule: RewriteRule }
  | { kind: 'ignored'; field: string }
  | { kind: 'error'; message: string };

/** Lower-case and fully qualified, as CoreDNS normalizes names (plugin.Name.Normalize). */
function fqdn(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower : `${lower}.`;
}

export function parseRewrite(directive: Directive): RewriteSyntax {
  let args = [...directive.args];
  let mode: 'stop' | 'continue' = 'stop';
  if (args[0] === 'continue' || args[0] === 'stop') {
    mode = args[0];
    args = args.slice(1);
  }
  if (directive.block) {
    if (args.length > 0) return { kind: 'error', message: `a rewrite with a block takes only continue or stop before it, got ${JSON.stringify(args.join(' '))}` };
    // The block's lines read as one argument list: name ... answer ... answer ...
    args = directive.block.flatMap((line) => [line.name, ...line.args]);
  }
  const field = args[0];
  if (field === undefined) return { kind: 'error', message: 'expected rewrite [continue|stop] FIELD ... (like rewrite name exact a.example.com b.default.svc.cluster.local)' };
  if (field !== 'name') return { kind: 'ignored', field };
  return parseNameRule(args.slice(1), mode);
}

function parseNameRule(args: readonly string[], mode: 'stop' | 'continue'): RewriteSyntax {
  if (args.length < 2) return { kind: 'error', message: 'a name rule needs FROM and TO' };
  let match: NameMatch = 'exact';
  let rest = args;
  if (args.length >= 3) {
    const type = args[0]!.toLowerCase();
    if (!NAME_MATCHES.includes(type as NameMatch)) {
      return { kind: 'error', message: `name rule match type must be one of ${NAME_MATCHES.join(', ')}, got ${JSON.stringify(args[0])}` };
    }
    match = type as NameMatch;
    rest = args.slice(1);
  }
  const [fromText, toText] = rest as [string, string];
  let pattern: RegExp | undefined;
  if (match === 'regex') {
    const compiled = compile(fromText);
    if (compiled instanceof Error) return { kind: 'error', message: `name regex ${JSON.stringify(fromText)}: ${compiled.message}` };
    pattern = compiled;
    const groups = usedGroups(toText);
    if (groups > groupCount(compiled)) {
      return { kind: 'error', message: `name regex ${JSON.stringify(fromText)} has ${groupCount(compiled)} group(s) but ${JSON.stringify(toText)} uses {${groups}}` };
    }
  }
  const from = match === 'regex' ? fromText : fqdn(fromText);
  const to = fqdn(toText);
  const answers = parseAnswers(rest.slice(2));
  if ('message' in answers) return { kind: 'error', message: answers.message };
  const rule: RewriteRule = { match, from, to, mode, auto: answers.auto, answerNames: answers.names, answerValues: answers.values, ...(pattern ? { pattern } : {}) };
  return { kind: 'rule', rule };
}

/** `answer auto`, `answer name FROM TO`, `answer value FROM TO`; after the first, `answer` may be left out. */
function parseAnswers(args: readonly string[]): { auto: boolean; names: PatternRewrite[]; values: PatternRewrite[] } | { message: string } {
  const names: PatternRewrite[] = [];
  const values: PatternRewrite[] = [];
  let auto = false;
  let i = 0;
  while (i < args.length) {
    if (args[i] === 'answer') i++;
    else if (i === 0) return { message: `unexpected ${JSON.stringify(args[i])} after FROM TO (expected answer auto, answer name FROM TO or answer value FROM TO)` };
    const kind = args[i++];
    if (kind === 'auto') {
      auto = true;
      continue;
    }
    if (kind !== 'name' && kind !== 'value') return { message: `answer must be followed by auto, name or value, got ${JSON.stringify(kind ?? '')}` };
    const from = args[i];
    const to = args[i + 1];
    if (from === undefined || to === undefined) return { message: `answer ${kind} needs FROM and TO` };
    const pattern = compile(from);
    if (pattern instanceof Error) return { message: `answer ${kind} regex ${JSON.stringify(from)}: ${pattern.message}` };
    (kind === 'name' ? names : values).push({ pattern, replacement: fqdn(to) });
    i += 2;
  }
  if (auto && names.length > 0) return { message: 'answer auto cannot be combined with answer name rules' };
  return { auto, names, values };
}

/** Go's RE2 syntax as JavaScript reads it: `(?P<name>` is `(?<name>`. */
function compile(source: string): RegExp | Error {
  try {
    return new RegExp(source.replace(/\(\?P</g, '(?<'));
  } catch (error) {
    return new Error(`not a valid regular expression (${(error as Error).message})`);
  }
}

function groupCount(pattern: RegExp): number {
  return new RegExp(`${pattern.source}|`).exec('')!.length - 1;
}

function usedGroups(template: string): number {
  return Math.max(0, ...[...template.matchAll(/\{(\d+)\}/g)].map((m) => Number(m[1])));
}
