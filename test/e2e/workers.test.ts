// `serve --workers 2`: two processes share one port and answer alike.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dig } from '../helpers/dig.js';
import { runCli, startServe, type ServerProcess } from '../helpers/server-process.js';

describe('serve --workers 2', () => {
  let server: ServerProcess;

  beforeAll(async () => {
    server = await startServe(['-f', 'manifests', '--workers', '2', '--log-level', 'info']);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('starts two workers', () => {
    expect(server.logs.some((line) => line['workers'] === 2 && String(line['msg']).startsWith('started 2 worker'))).toBe(true);
  });

  it('answers the same over UDP and TCP, query after query', async () => {
    const answers = new Set<string>();
    for (let i = 0; i < 8; i++) {
      for (const transport of ['+notcp', '+tcp']) {
        const result = await dig(server.port, [transport, 'userlist-svc.user03.svc.cluster.local']);
        expect(result.status).toBe('NOERROR');
        answers.add(result.answer.join('\n'));
      }
    }
    expect(answers.size).toBe(1);
  });

  it('stops every worker on SIGTERM and exits 0', async () => {
    expect(await server.stop('SIGTERM')).toBe(0);
  });
});

describe('--workers validation', () => {
  it.each([
    { args: ['--workers', '0'], message: '--workers must be an integer from 1 to 64' },
    { args: ['--workers', '2', '--http', ':0'], message: '--workers above 1 cannot be combined with --http' },
  ])('refuses $args', async ({ args, message }) => {
    const result = await runCli(['serve', '-f', 'manifests', '--port', '0', ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });
});
