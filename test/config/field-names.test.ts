// Config problems carry field paths; each adapter spells them its own way,
// from one table: the CLI names the flag, the Node API the option key. Each
// row gives one bad value both ways and the message each reader sees.

import { describe, expect, it } from 'vitest';
import { configFromFlags, type ClusterFlags } from '../../src/cli/options.js';
import { prepare, type ClusterDnsOptions } from '../../src/api/options.js';
import { ClusterDnsError } from '../../src/api/errors.js';
import { runCli } from '../helpers/server-process.js';

const MANIFEST = 'test/fixtures/validate/mistakes.yaml';

interface Row {
  /** The field path the problem is about. */
  readonly field: string;
  readonly flags: ClusterFlags;
  readonly options: Partial<ClusterDnsOptions>;
  /** The message with `{}` where the setting's name goes. */
  readonly message: string;
  readonly flag: string;
  readonly key: string;
}

const rows: Row[] = [
  { field: 'port', flags: { port: '70000' }, options: { port: 70000 }, message: '{} must be an integer from 0 to 65535, got {v}', flag: '--port', key: 'port' },
  { field: 'ttl', flags: { ttl: '-1' }, options: { ttl: -1 }, message: '{} must be an integer from 0 to 3600 (seconds), got {v}', flag: '--ttl', key: 'ttl' },
  { field: 'podMode', flags: { pods: 'all' }, options: { pods: 'all' as never }, message: '{} must be one of insecure, verified, disabled, got "all"', flag: '--pods', key: 'pods' },
  { field: 'clusterDomain', flags: { clusterDomain: 'a..b' }, options: { clusterDomain: 'a..b' }, message: `{} must be a DNS name of one or more labels (lower-case letters, digits, '-'), got "a..b"`, flag: '--cluster-domain', key: 'clusterDomain' },
  { field: 'serviceCIDRs', flags: { serviceCidr: ['10.0.0.0/40'] }, options: { serviceCIDR: '10.0.0.0/40' }, message: '{} must be a CIDR like 10.96.0.0/12 or fd00:10:96::/112, got "10.0.0.0/40"', flag: '--service-cidr', key: 'serviceCIDR' },
  { field: 'podCIDRs', flags: { podCidr: ['10.0.0.0/31'] }, options: { podCIDR: '10.0.0.0/31' }, message: '{} 10.0.0.0/31 is too small to allocate addresses from', flag: '--pod-cidr', key: 'podCIDR' },
  { field: 'nodes', flags: { nodes: '0' }, options: { nodes: 0 }, message: '{} must be an integer from 1 to 5000, got {v}', flag: '--nodes', key: 'nodes' },
  { field: 'maxPods', flags: { maxPods: '0' }, options: { maxPods: 0 }, message: '{} must be an integer from 1 to 100000000 pods, got {v}', flag: '--max-pods', key: 'maxPods' },
  { field: 'upstreams', flags: { upstream: ['none', '10.0.0.1'] }, options: { upstreams: ['none', '10.0.0.1'] }, message: '{} none cannot be combined with upstream addresses', flag: '--upstream', key: 'upstreams' },
  { field: 'upstreamTimeoutMs', flags: { upstreamTimeout: '5' }, options: { upstreamTimeoutMs: 5 }, message: '{} must be an integer from 10 to 60000 (milliseconds), got {v}', flag: '--upstream-timeout', key: 'upstreamTimeoutMs' },
  { field: 'stubDomains', flags: { stubDomain: ['corp'] }, options: { stubDomains: ['corp'] }, message: '{}: stub domain "corp" must look like domain=ip[:port][,ip...]', flag: '--stub-domain', key: 'stubDomains' },
  { field: 'cache.maxEntries', flags: { cacheSize: '0' }, options: { cache: { maxEntries: 0 } }, message: '{} must be an integer from 1 to 10000000 (entries), got {v}', flag: '--cache-size', key: 'cache.maxEntries' },
  { field: 'cache.maxTtl', flags: { cacheMaxTtl: '0' }, options: { cache: { maxTtl: 0 } }, message: '{} must be an integer from 1 to 604800 (seconds), got {v}', flag: '--cache-max-ttl', key: 'cache.maxTtl' },
  { field: 'searchNamespace', flags: { searchNamespace: 'Prod' }, options: { searchNamespace: 'Prod' }, message: `{} must be a namespace name: a DNS-1123 label of at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit, got "Prod"`, flag: '--search-namespace', key: 'searchNamespace' },
  { field: 'http', flags: { http: 'localhost:80' }, options: { http: 'localhost:80' }, message: '{} must be ADDR:PORT like 127.0.0.1:8080, [::1]:8080 or :8080 (loopback), got "localhost:80"', flag: '--http', key: 'http' },
  { field: 'httpHosts', flags: { http: ':0', httpHost: ['a:1'] }, options: { http: ':0', httpHosts: ['a:1'] }, message: '{} must be a host name or address without a port, like clusterdns or dns.test, got "a:1"', flag: '--http-host', key: 'httpHosts' },
  { field: 'allow', flags: { allow: ['example.com'] }, options: { allow: ['example.com'] }, message: '{} must be a CIDR or an address like 10.0.0.0/8, fd00::/8 or 192.0.2.7, got "example.com"', flag: '--allow', key: 'allow' },
];

/** `{v}` is the value as given: a string from the CLI, a number from the API. */
function expected(row: Row, name: string, value: unknown): string {
  return row.message.replace('{}', name).replace('{v}', JSON.stringify(value));
}

function firstValue(given: object): unknown {
  const value = Object.values(given)[0] as unknown;
  return typeof value === 'object' && value !== null ? Object.values(value)[0] : value;
}

function apiProblems(options: Partial<ClusterDnsOptions>): string[] {
  try {
    prepare({ manifests: ['kind: Namespace\napiVersion: v1\nmetadata: {name: a}\n'], ...options });
  } catch (error) {
    if (error instanceof ClusterDnsError) return [...(error.problems ?? [])];
    throw error;
  }
  return [];
}

describe('one bad value, named as each reader calls it', () => {
  it.each(rows)('$field: the CLI says $flag', (row) => {
    const result = configFromFlags({ filename: [MANIFEST], ...row.flags });
    expect(result.ok ? [] : result.problems).toEqual([expected(row, row.flag, firstValue(row.flags))]);
  });

  it.each(rows)('$field: the Node API says $key', (row) => {
    expect(apiProblems(row.options)).toEqual([expected(row, row.key, firstValue(row.options))]);
  });

  it('a problem about two settings names both, each way', () => {
    const cli = configFromFlags({ filename: [MANIFEST], serviceCidr: ['fd00::/108'] });
    expect(cli.ok ? [] : cli.problems).toEqual(['--service-cidr and --pod-cidr must cover the same IP families in the same order (services: IPv6; pods: IPv4)']);
    expect(apiProblems({ serviceCIDR: 'fd00::/108' })).toEqual([
      'serviceCIDR and podCIDR must cover the same IP families in the same order (services: IPv6; pods: IPv4)',
    ]);
    expect(apiProblems({ httpToken: 'abc' })).toEqual(['httpToken needs http ADDR:PORT']);
  });
});

describe('the clusterdns binary', () => {
  it('names every bad flag at once and exits 2', async () => {
    const result = await runCli(['serve', '-f', MANIFEST, '--port', '70000', '--upstream-timeout', '5', '--http-token', 'abc', '--tcp-max-message', '1']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([
      'clusterdns: --port must be an integer from 0 to 65535, got "70000"',
      'clusterdns: --tcp-max-message must be an integer from 12 to 65535 bytes, got "1"',
      'clusterdns: --upstream-timeout must be an integer from 10 to 60000 (milliseconds), got "5"',
      'clusterdns: --http-token needs --http ADDR:PORT',
      '(run with --help for usage)',
    ]);
  });
});
