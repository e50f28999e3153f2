// The hardening flags in validateConfig: defaults, and one message per bad value.
import { describe, expect, it } from 'vitest';
import { DEFAULTS, validateConfig, type RawConfig } from '../../src/config.js';
import { flagOf } from '../../src/cli/options.js';

describe('hardening defaults', () => {
  it('loopback bind, private-range --allow, no rate limit, TCP caps, 1000 forwarded in flight, 1 s grace', () => {
    const result = validateConfig({});
    if (!result.ok) throw new Error(result.problems.join('\n'));
    expect(result.config).toMatchObject({
      bind: '127.0.0.1',
      allow: DEFAULTS.allow,
      rateLimit: null,
      tcp: { maxConnections: 1000, maxPerClient: 64, idleTimeoutMs: 5000, maxInFlight: 32, maxMessageBytes: 4096 },
      forwardMaxInFlight: 1000,
      shutdownGraceMs: 1000,
      cache: { maxEntries: 10000 },
    });
  });
});

describe('hardening flags', () => {
  const rows: { raw: RawConfig; expected: Record<string, unknown> | string }[] = [
    { raw: { rateLimit: '50/s' }, expected: { rateLimit: { perSecond: 50, slip: 2 } } },
    { raw: { rateLimit: '50', rateLimitSlip: '0' }, expected: { rateLimit: { perSecond: 50, slip: 0 } } },
    { raw: { rateLimit: '50/m' }, expected: '--rate-limit must be N/s with N from 1 to 1000000 (responses per second per client /24 or /56), got "50/m"' },
    { raw: { rateLimitSlip: '3' }, expected: '--rate-limit-slip needs --rate-limit N/s' },
    { raw: { allow: ['10.0.0.0/8,fd00::/8'] }, expected: { allow: ['10.0.0.0/8', 'fd00::/8'] } },
    { raw: { tcp: { maxConnections: '10', idleTimeoutMs: '2000' } }, expected: { tcp: { maxConnections: 10, maxPerClient: 64, idleTimeoutMs: 2000, maxInFlight: 32, maxMessageBytes: 4096 } } },
    { raw: { tcp: { maxConnections: '0' } }, expected: '--tcp-max-connections must be an integer from 1 to 1000000 connections, got "0"' },
    { raw: { tcp: { idleTimeoutMs: 'soon' } }, expected: '--tcp-idle-timeout must be an integer from 100 to 600000 milliseconds, got "soon"' },
    { raw: { tcp: { maxMessageBytes: '70000' } }, expected: '--tcp-max-message must be an integer from 12 to 65535 bytes, got "70000"' },
    { raw: { forwardMaxInFlight: '5' }, expected: { forwardMaxInFlight: 5 } },
    { raw: { shutdownGraceMs: '-1' }, expected: '--shutdown-grace must be an integer from 0 to 60000 milliseconds, got "-1"' },
  ];
  for (const row of rows) {
    it(`${JSON.stringify(row.raw)} → ${typeof row.expected === 'string' ? 'problem' : JSON.stringify(row.expected)}`, () => {
      const result = validateConfig(row.raw, flagOf);
      if (typeof row.expected === 'string') {
        expect(result.ok ? [] : result.problems).toEqual([row.expected]);
      } else {
        if (!result.ok) throw new Error(result.problems.join('\n'));
        expect(result.config).toMatchObject(row.expected);
      }
    });
  }
});
