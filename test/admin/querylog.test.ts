// --log-queries (issue 4 part 4): one pino line per query with the fields of
// CoreDNS's log plugin.

import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dig } from '../helpers/dig.js';
import { ROOT, startServe, type ServerProcess } from '../helpers/server-process.js';
import { validateConfig } from '../../src/config.js';
import { flagOf } from '../../src/cli/options.js';
import { formatSeconds, jsonName } from '../../src/admin/querylog.js';
import { waitFor } from '../helpers/live.js';

let server: ServerProcess;
beforeAll(async () => {
  server = await startServe(['--log-queries', '-f', path.join(ROOT, 'manifests/web-statefulset.yaml')]);
});
afterAll(async () => {
  await server.stop();
});

describe('--log-queries', () => {
  it('logs one line per query: client, id, type, class, name, proto, size, do, bufsize, rcode, flags, rsize, duration', async () => {
    const result = await dig(server.port, ['+dnssec', '+nocookie', 'web-0.nginx.default.svc.cluster.local', 'A']);
    await waitFor(() => server.logs.some((l) => l['module'] === 'query'), 'the query line');
    const line = server.logs.find((l) => l['module'] === 'query')!;
    // 12 header + 39 name + 4 type/class + 11 OPT.
    const size = 12 + 'web-0.nginx.default.svc.cluster.local'.length + 2 + 4 + 11;
    expect(line).toMatchObject({
      level: 30,
      msg: 'query',
      remote: '127.0.0.1',
      query: { type: 'A', class: 'IN', name: 'web-0.nginx.default.svc.cluster.local.', proto: 'udp', size, do: true, bufsize: 1232 },
      rcode: 'NOERROR',
      rflags: 'qr,aa,rd',
    });
    expect(line['rsize']).toBeGreaterThan(0);
    expect(String(line['duration'])).toMatch(/^\d+\.\d{9}s$/);
    expect(line['port']).toBeGreaterThan(0);
    expect(result.status).toBe('NOERROR');
  });

  it('logs TCP queries with the client and the message size', async () => {
    await dig(server.port, ['+tcp', '+noedns', 'nginx.default.svc.cluster.local', 'SRV']);
    const isTcp = (l: Record<string, unknown>) => (l['query'] as { proto?: string } | undefined)?.proto === 'tcp';
    await waitFor(() => server.logs.some(isTcp), 'the TCP query line');
    const line = server.logs.find(isTcp)!;
    expect(line).toMatchObject({
      remote: '127.0.0.1',
      query: { type: 'SRV', name: 'nginx.default.svc.cluster.local.', size: 12 + 'nginx.default.svc.cluster.local'.length + 2 + 4, do: false, bufsize: 512 },
    });
  });
});

describe('--http / --http-token validation', () => {
  const rows = [
    { name: ':PORT listens on loopback', raw: { http: ':8080' }, http: { host: '127.0.0.1', port: 8080 } },
    { name: 'IPv6 in brackets', raw: { http: '[::1]:0' }, http: { host: '::1', port: 0 } },
    { name: 'off by default', raw: {}, http: null },
  ];
  it.each(rows)('$name', ({ raw, http }) => {
    expect(validateConfig(raw)).toMatchObject({ ok: true, config: { http } });
  });

  const bad = [
    { name: 'no port', raw: { http: 'localhost' }, problem: '--http must be ADDR:PORT like 127.0.0.1:8080, [::1]:8080 or :8080 (loopback), got "localhost"' },
    { name: 'a token without --http', raw: { httpToken: 'x' }, problem: '--http-token needs --http ADDR:PORT' },
  ];
  it.each(bad)('$name', ({ raw, problem }) => {
    expect(validateConfig(raw, flagOf)).toEqual({ ok: false, problems: [problem] });
  });
});

describe('query line fields', () => {
  const names: Array<[string, string]> = [
    ['web-0.nginx.default.svc.cluster.local', '"web-0.nginx.default.svc.cluster.local."'],
    ['', '"."'],
    ['a"b', '"a\\"b."'],
    ['a\\b', '"a\\\\b."'],
    ['tab\there', '"tab\\there."'],
    ['ünï', '"ünï."'],
  ];
  it.each(names)('jsonName(%j) -> %s, which parses back to the name with its dot', (name, expected) => {
    expect(jsonName(name)).toBe(expected);
    expect(JSON.parse(jsonName(name))).toBe(`${name}.`);
  });

  const durations: Array<[number, string]> = [
    [0, '0.000000000'],
    [0.000076814, '0.000076814'],
    [1.5, '1.500000000'],
    [12.0000000004, '12.000000000'],
    [0.0000000006, '0.000000001'],
  ];
  it.each(durations)('formatSeconds(%d) -> %s', (seconds, expected) => {
    expect(formatSeconds(seconds)).toBe(expected);
  });
});
