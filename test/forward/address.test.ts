// Upstream, stub domain and resolv.conf parsing.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseResolvConf, parseStubDomain, parseUpstream, readResolvConf } from '../../src/forward/index.js';

describe('parseUpstream', () => {
  it.each([
    { text: '1.2.3.4', host: '1.2.3.4', port: 53 },
    { text: '1.2.3.4:5353', host: '1.2.3.4', port: 5353 },
    { text: 'dns://8.8.8.8', host: '8.8.8.8', port: 53 },
    { text: '::1', host: '::1', port: 53 },
    { text: '[::1]:5353', host: '::1', port: 5353 },
    { text: '[2001:DB8:0::1]', host: '2001:db8::1', port: 53 },
    { text: '2001:db8::53', host: '2001:db8::53', port: 53 },
  ])('$text → $host port $port', ({ text, host, port }) => {
    expect(parseUpstream(text)).toEqual({ host, port });
  });

  it.each([
    { text: 'dns.google', reason: 'not an IP address' },
    { text: '1.2.3', reason: 'not an IP address' },
    { text: '1.2.3.4:0', reason: 'must be 1-65535' },
    { text: '1.2.3.4:99999', reason: 'must be 1-65535' },
    { text: '[::1]:x', reason: 'not an IP address' },
  ])('$text is rejected: $reason', ({ text, reason }) => {
    const result = parseUpstream(text);
    expect(result).toBeInstanceOf(Error);
    expect((result as Error).message).toContain(reason);
  });
});

describe('parseStubDomain', () => {
  it.each([
    { text: 'corp.example=10.0.0.1', suffix: 'corp.example', upstreams: [{ host: '10.0.0.1', port: 53 }] },
    {
      text: 'Corp.Example.=10.0.0.1:5353,[fd00::1]:53',
      suffix: 'corp.example',
      upstreams: [{ host: '10.0.0.1', port: 5353 }, { host: 'fd00::1', port: 53 }],
    },
  ])('$text', ({ text, suffix, upstreams }) => {
    expect(parseStubDomain(text)).toEqual({ suffix, upstreams });
  });

  it.each([
    { text: 'corp.example', reason: 'domain=ip' },
    { text: '=10.0.0.1', reason: 'is not a domain name' },
    { text: 'bad..name=10.0.0.1', reason: 'is not a domain name' },
    { text: 'corp.example=10.0.0.1,nope', reason: 'not an IP address' },
  ])('$text is rejected: $reason', ({ text, reason }) => {
    const result = parseStubDomain(text);
    expect(result).toBeInstanceOf(Error);
    expect((result as Error).message).toContain(reason);
  });
});

describe('resolv.conf', () => {
  it('takes nameserver lines in order, drops scope ids, duplicates and junk', () => {
    const text = [
      '# generated',
      'search example.com',
      'nameserver 10.0.0.2',
      'nameserver fe80::1%eth0',
      'nameserver 10.0.0.2',
      'nameserver not-an-ip',
      '  nameserver 2001:db8::1 # trailing comment',
      'options ndots:5',
    ].join('\n');
    expect(parseResolvConf(text)).toEqual([
      { host: '10.0.0.2', port: 53 },
      { host: 'fe80::1', port: 53 },
      { host: '2001:db8::1', port: 53 },
    ]);
  });

  it('reads a file, and rejects when it cannot', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'clusterdns-resolv-'));
    try {
      await writeFile(join(dir, 'resolv.conf'), 'nameserver 1.1.1.1\n');
      expect(await readResolvConf(join(dir, 'resolv.conf'))).toEqual([{ host: '1.1.1.1', port: 53 }]);
      await expect(readResolvConf(join(dir, 'missing'))).rejects.toThrow(/ENOENT/);
    } finally {
      await rm(dir, { recursive: true });
    }
  });
});
