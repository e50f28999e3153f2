// Forwarding's settings: where names outside the cluster go, how, the cache
// of forwarded answers, DNS 0x20 and the search namespace; their defaults and
// validator.

import { at, integerIn, listEntries, oneOf, problem, show, toInteger, toStringList, type Problems } from '../settings.js';
import { parseStubDomain, parseUpstream } from './address.js';
import type { Policy, StubDomain, UpstreamAddress } from './types.js';

export const POLICIES: readonly Policy[] = ['sequential', 'random', 'round_robin'];

export interface ForwardSettings {
  /**
   * Where names outside our zones go: explicit addresses, `'resolv-conf'`
   * (the nameservers of `resolvConf`, read at start), or `[]` for none
   * (REFUSED outside our zones).
   */
  readonly upstreams: readonly UpstreamAddress[] | 'resolv-conf';
  readonly resolvConf: string;
  readonly policy: Policy;
  /** Per-try upstream timeout. */
  readonly upstreamTimeoutMs: number;
  readonly stubDomains: readonly StubDomain[];
  /** DNS 0x20: random letter case in upstream questions, echoed exactly or the reply is dropped. */
  readonly upstream0x20: boolean;
  /** Forwarded-answer cache; false turns it off. */
  readonly cache: { readonly maxEntries: number; readonly maxTtl: number } | false;
  /** Forwarded queries waiting on upstreams at once; past it SERVFAIL at once. */
  readonly forwardMaxInFlight: number;
  /**
   * Short names outside the cluster domain are tried as a pod of this
   * namespace would try them before being forwarded; null = off.
   */
  readonly searchNamespace: string | null;
}

export type ForwardField =
  | 'upstreams'
  | 'resolvConf'
  | 'policy'
  | 'upstreamTimeoutMs'
  | 'stubDomains'
  | 'cache.maxEntries'
  | 'cache.maxTtl'
  | 'forwardMaxInFlight'
  | 'searchNamespace';

export const FORWARDING_DEFAULTS: ForwardSettings = {
  upstreams: 'resolv-conf',
  resolvConf: '/etc/resolv.conf',
  policy: 'sequential',
  upstreamTimeoutMs: 2000,
  stubDomains: [],
  upstream0x20: false,
  // maxTtl 30: the kubeadm Corefile's `cache 30`, which caps every TTL answered (docs/behaviour.md).
  cache: { maxEntries: 10000, maxTtl: 30 },
  forwardMaxInFlight: 1000,
  searchNamespace: null,
};

/** What a user may give; `cache` also as its fields one at a time, and `noCache`. */
export type RawForwardSettings = { [K in keyof ForwardSettings]?: unknown } & {
  cacheSize?: unknown;
  cacheMaxTtl?: unknown;
  noCache?: unknown;
};

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export function validateForward(raw: RawForwardSettings, problems: Problems<ForwardField>): ForwardSettings {
  const defaults = FORWARDING_DEFAULTS;
  return {
    upstreams: validateUpstreams(raw.upstreams, problems),
    resolvConf: String(raw.resolvConf ?? defaults.resolvConf),
    policy: oneOf('policy', raw.policy ?? defaults.policy, POLICIES, problems),
    upstreamTimeoutMs: integerIn('upstreamTimeoutMs', raw.upstreamTimeoutMs ?? defaults.upstreamTimeoutMs, 10, 60000, '(milliseconds)', problems),
    stubDomains: validateStubDomains(raw.stubDomains, problems),
    upstream0x20: raw.upstream0x20 === true,
    cache: validateCache(raw, problems),
    forwardMaxInFlight: integerIn('forwardMaxInFlight', raw.forwardMaxInFlight ?? defaults.forwardMaxInFlight, 1, 1_000_000, 'queries', problems),
    searchNamespace: validateSearchNamespace(raw.searchNamespace, problems),
  };
}

function validateUpstreams(value: unknown, problems: Problems<ForwardField>): ForwardSettings['upstreams'] {
  if (value === undefined || value === 'resolv-conf') return 'resolv-conf';
  const entries = listEntries(value);
  if (entries.length === 1 && entries[0] === 'none') return [];
  const upstreams: UpstreamAddress[] = [];
  for (const entry of entries) {
    if (entry === 'none') {
      problems.push(problem`${at('upstreams')} none cannot be combined with upstream addresses`);
      continue;
    }
    const parsed = parseUpstream(entry);
    if (parsed instanceof Error) problems.push(problem`${at('upstreams')}: ${parsed.message}`);
    else upstreams.push(parsed);
  }
  return upstreams;
}

function validateStubDomains(value: unknown, problems: Problems<ForwardField>): StubDomain[] {
  const stubs: StubDomain[] = [];
  for (const entry of toStringList(value)) {
    const parsed = parseStubDomain(entry);
    if (parsed instanceof Error) problems.push(problem`${at('stubDomains')}: ${parsed.message}`);
    else stubs.push(parsed);
  }
  return stubs;
}

function validateCache(raw: RawForwardSettings, problems: Problems<ForwardField>): ForwardSettings['cache'] {
  if (raw.cache === false || raw.noCache === true) return false;
  const defaults = FORWARDING_DEFAULTS.cache as { maxEntries: number; maxTtl: number };
  const given = (typeof raw.cache === 'object' && raw.cache !== null ? raw.cache : {}) as Record<string, unknown>;
  const maxEntries = toInteger(raw.cacheSize ?? given['maxEntries'] ?? defaults.maxEntries);
  const maxTtl = toInteger(raw.cacheMaxTtl ?? given['maxTtl'] ?? defaults.maxTtl);
  if (maxEntries === undefined || maxEntries < 1 || maxEntries > 10_000_000) {
    problems.push(problem`${at('cache.maxEntries')} must be an integer from 1 to 10000000 (entries), got ${show(raw.cacheSize ?? given['maxEntries'])}`);
  }
  if (maxTtl === undefined || maxTtl < 1 || maxTtl > 604800) {
    problems.push(problem`${at('cache.maxTtl')} must be an integer from 1 to 604800 (seconds), got ${show(raw.cacheMaxTtl ?? given['maxTtl'])}`);
  }
  return { maxEntries: maxEntries ?? 0, maxTtl: maxTtl ?? 0 };
}

/** A namespace name: a DNS-1123 label, as the API server requires. */
function validateSearchNamespace(value: unknown, problems: Problems<ForwardField>): string | null {
  if (value === null || value === undefined || value === false) return null;
  const text = String(value);
  if (text.length > 63 || !DNS_LABEL.test(text)) {
    const rule = "a DNS-1123 label of at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit";
    problems.push(problem`${at('searchNamespace')} must be a namespace name: ${rule}, got ${show(value)}`);
    return null;
  }
  return text;
}
