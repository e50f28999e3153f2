// CoreDNS's `rewrite name` rules: the question name is rewritten before the
// rest of the chain (hosts, the cluster, forwarding) sees it, and the
// response is mapped back so the client sees its own question (CoreDNS
// plugin/rewrite: exact rules always map the answer back; the other match
// types with `answer auto`, `answer name FROM TO` or `answer value FROM TO`).
//
// Names here are as CoreDNS compares them: lower-case, fully qualified (with
// the trailing dot). Transport-free: a wrapper around a respond function.

import { RCode } from '../dns/types.js';
import { normalizeName } from '../dns/names.js';
import { writeEmptyResponse } from '../dns/wire.js';
import type { Query } from '../dns/query.js';
import { renameResponse, type ResponseMapping } from './rename-response.js';

export type NameMatch = 'exact' | 'prefix' | 'suffix' | 'substring' | 'regex';
export const NAME_MATCHES: readonly NameMatch[] = ['exact', 'prefix', 'suffix', 'substring', 'regex'];

/** A regex string rewrite (`{0}`..`{9}` in the replacement are the match's groups). */
export interface PatternRewrite {
  readonly pattern: RegExp;
  readonly replacement: string;
}

export interface RewriteRule {
  readonly match: NameMatch;
  /** What is matched: a normalized name (prefix, suffix, ...) or, for regex, the pattern. */
  readonly from: string;
  readonly to: string;
  /** Set for `regex`. */
  readonly pattern?: RegExp;
  /** `stop` (the default): no later rule runs once this one matched. */
  readonly mode: 'stop' | 'continue';
  /** `answer auto`: map names in the response back (always on for exact). */
  readonly auto: boolean;
  /** `answer name FROM TO`: owner names of the response's records. */
  readonly answerNames: readonly PatternRewrite[];
  /** `answer value FROM TO`: the names inside CNAME, PTR, NS, MX, SRV, SOA, DNAME data. */
  readonly answerValues: readonly PatternRewrite[];
}

type StringRewriter = (name: string) => string;

/**
 * The question after every rule, and how to map its response back;
 * undefined when no rule matched. `name` is lower-case and fully qualified.
 */
export function applyRewrites(rules: readonly RewriteRule[], name: string): { name: string; mapping: ResponseMapping } | undefined {
  let current = name;
  let matched = false;
  const owners: StringRewriter[] = [];
  const values: StringRewriter[] = [];
  for (const rule of rules) {
    const next = rewriteName(rule, current);
    if (next === undefined) continue;
    matched = true;
    const back = autoRewriter(rule, current, next);
    if (back) {
      owners.push(back);
      values.push(back);
    }
    owners.push(...rule.answerNames.map(patternRewriter));
    values.push(...rule.answerValues.map(patternRewriter));
    current = next;
    if (rule.mode === 'stop') break;
  }
  if (!matched) return undefined;
  const chain = (rewriters: StringRewriter[]) => (value: string) => rewriters.reduce((text, rewrite) => rewrite(text), value);
  return { name: current, mapping: { owner: chain(owners), value: chain(values) } };
}

/** The rewritten question, or undefined when the rule does not match. */
export function rewriteName(rule: RewriteRule, name: string): string | undefined {
  switch (rule.match) {
    case 'exact':
      return name === rule.from ? rule.to : undefined;
    case 'prefix':
      return name.startsWith(rule.from) ? rule.to + name.slice(rule.from.length) : undefined;
    case 'suffix':
      return name.endsWith(rule.from) ? name.slice(0, name.length - rule.from.length) + rule.to : undefined;
    case 'substring':
      return name.includes(rule.from) ? name.split(rule.from).join(rule.to) : undefined;
    case 'regex': {
      const groups = rule.pattern!.exec(name);
      return groups ? fillGroups(rule.to, groups) : undefined;
    }
  }
}

/** The automatic mapping back: for suffix rules the reverse suffix, else the new name (and its subdomains) to the old. */
function autoRewriter(rule: RewriteRule, before: string, after: string): StringRewriter | undefined {
  if (rule.match === 'suffix') {
    if (!rule.auto) return undefined;
    return (value) => (value.endsWith(rule.to) ? value.slice(0, value.length - rule.to.length) + rule.from : value);
  }
  if (rule.match !== 'exact' && !rule.auto) return undefined;
  return (value) => {
    if (value === after) return before;
    const cut = value.length - after.length;
    return cut > 0 && value[cut - 1] === '.' && value.endsWith(after) ? value.slice(0, cut) + before : value;
  };
}

function patternRewriter(rewrite: PatternRewrite): StringRewriter {
  return (value) => {
    const groups = rewrite.pattern.exec(value);
    return groups ? fillGroups(rewrite.replacement, groups) : value;
  };
}

/** `{0}`..`{n}` replaced by the match's groups (a group that did not take part is ''). */
function fillGroups(template: string, groups: RegExpExecArray): string {
  let text = template;
  groups.forEach((group, index) => {
    text = text.split(`{${index}}`).join(group ?? '');
  });
  return text;
}

type Respond = (query: Query) => Buffer | Promise<Buffer>;

/** Largest wire name: 255 octets, i.e. 253 characters of dotted text. */
const MAX_NAME_TEXT = 253;

/** `respond` behind the rules: the rewritten question goes in, the client's comes back out. */
export function withRewrites(rules: readonly RewriteRule[], respond: Respond): Respond {
  if (rules.length === 0) return respond;
  return (query) => {
    // Lower-cased as the rest of the server compares names (ASCII only), then fully qualified.
    const normalized = normalizeName(query.name);
    const rewritten = applyRewrites(rules, normalized === '' ? '.' : `${normalized}.`);
    if (!rewritten) return respond(query);
    const name = rewritten.name.replace(/\.$/, '');
    // A rule can make a name no message can carry; CoreDNS fails such a query too.
    if (name.length > MAX_NAME_TEXT || name.split('.').some((label) => label.length === 0 || label.length > 63)) {
      if (name !== '') return writeEmptyResponse(query, { rcode: RCode.SERVFAIL });
    }
    const inner: Query = { ...query, name };
    const back = (response: Buffer) => renameResponse(response, query, rewritten.mapping) ?? writeEmptyResponse(query, { rcode: RCode.SERVFAIL });
    const response = respond(inner);
    return Buffer.isBuffer(response) ? back(response) : response.then(back);
  };
}
