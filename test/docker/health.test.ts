// `clusterdns health`, the image's HEALTHCHECK: exit 0 when the admin
// endpoint answers 2xx, 1 when it does not (other status, refused, silent),
// 2 for a bad URL. Against the real CLI and a real server.

import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { healthUrl } from '../../src/cli/health.js';
import { runCli, startServe, type ServerProcess } from '../helpers/server-process.js';

describe('healthUrl', () => {
  it.each([
    { given: 'http://127.0.0.1:8080/ready', url: 'http://127.0.0.1:8080/ready' },
    { given: 'https://dns.example:8443/health', url: 'https://dns.example:8443/health' },
    { given: '127.0.0.1:8080', url: 'http://127.0.0.1:8080/health' },
    { given: ':8080', url: 'http://127.0.0.1:8080/health' },
    { given: '0.0.0.0:8080', url: 'http://127.0.0.1:8080/health' },
    { given: '[::1]:8080', url: 'http://[::1]:8080/health' },
    { given: '[::]:8080', url: 'http://[::1]:8080/health' },
  ])('$given -> $url', ({ given, url }) => {
    expect(String(healthUrl(given))).toBe(url);
  });

  it.each(['ftp://127.0.0.1/', 'not a url', ''])('refuses %j', (given) => {
    expect(healthUrl(given)).toBeInstanceOf(Error);
  });
});

describe('clusterdns health', () => {
  let server: ServerProcess;
  let admin = '';
  let silent: Server;
  let silentPort = 0;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    server = await startServe(['-f', 'manifests/', '--http', '127.0.0.1:0']);
    const line = server.logs.find((entry) => typeof entry['http'] === 'string');
    admin = `http://${String(line!['http'])}`;
    // Accepts connections and never answers: the --timeout case.
    silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    silentPort = (silent.address() as { port: number }).port;
  });
  afterAll(async () => {
    await server.stop();
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });

  it('exits 0 and says so when /health and /ready answer 200', async () => {
    for (const path of ['/health', '/ready']) {
      const result = await runCli(['health', '--http', `${admin}${path}`]);
      expect(result).toMatchObject({ code: 0, stderr: '' });
      expect(result.stdout).toBe(`healthy: ${admin}${path} 200 OK\n`);
    }
  });

  it('takes the serve --http form ADDR:PORT', async () => {
    const result = await runCli(['health', '--http', admin.replace('http://', '')]);
    expect(result.code).toBe(0);
  });

  it('exits 1 on another status, a refused connection or no answer in time', async () => {
    const notFound = await runCli(['health', '--http', `${admin}/nope`]);
    expect(notFound.code).toBe(1);
    expect(notFound.stderr).toBe(`unhealthy: ${admin}/nope answered 404: not found\n`);

    const refused = await runCli(['health', '--http', 'http://127.0.0.1:1/health']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^unhealthy: http:\/\/127\.0\.0\.1:1\/health .*ECONNREFUSED/);

    const silentResult = await runCli(['health', '--http', `http://127.0.0.1:${silentPort}/health`, '--timeout', '200']);
    expect(silentResult.code).toBe(1);
    expect(silentResult.stderr).toContain('no answer within 200 ms');
  });

  it('exits 2 on a bad URL or timeout, naming both', async () => {
    const result = await runCli(['health', '--http', 'ftp://x', '--timeout', 'soon']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'clusterdns health: --http must be an http:// or https:// URL, or ADDR:PORT, got "ftp://x"\n' +
        'clusterdns health: --timeout must be an integer from 1 to 600000 (milliseconds), got "soon"\n',
    );
  });
});
