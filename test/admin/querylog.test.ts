// --log-queries (issue 4 part 4): one pino line per query with the fields of
// CoreDNS's log plugin that the handler knows.

import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dig } from '../helpers/dig.js';
import { ROOT, startServe, type ServerProcess } from '../helpers/server-process.js';
import { validateConfig } from '../../src/config.js';
import { waitFor } from '../live/helpers.js';

let server: ServerProcess;
beforeAll(async () => {
  server = await startServe(['--log-queries', '-f', path.join(ROOT, 'manifests/web-statefulset.yaml')]);
});
afterAll(async () => {
  await server.stop();
});

describe('--log-queries', () => {
  it('logs one line per query: id, type, class, name, proto, do, bufsize, rcode, flags, size, duration', async () => {
    const result = await dig(server.port, ['+dnssec', 'web-0.nginx.default.svc.cluster.local', 'A']);
    await waitFor(() => server.logs.some((l) => l['module'] === 'query'), 'the query line');
    const line = server.logs.find((l) => l['module'] === 'query')!;
    expect(line).toMatchObject({
      level: 30,
      msg: 'query',
      query: { type: 'A', class: 'IN', name: 'web-0.nginx.default.svc.cluster.local.', proto: 'udp', do: true, bufsize: 1232 },
      rcode: 'NOERROR',
      rflags: 'qr,aa,rd',
    });
    expect(line['rsize']).toBeGreaterThan(0);
    expect(String(line['duration'])).toMatch(/^\d+\.\d{9}s$/);
    expect(result.status).toBe('NOERROR');
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
    expect(validateConfig(raw)).toEqual({ ok: false, problems: [problem] });
  });
});
