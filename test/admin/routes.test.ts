// Probes in-process (no sockets): readiness before and after loading,
// through `route` with a fake context.

import { describe, expect, it } from 'vitest';
import { route, type AdminContext, type Readiness } from '../../src/admin/routes.js';

function context(readiness: Readiness): AdminContext {
  return { readiness: () => readiness, live: () => undefined };
}

const get = (path: string) => ({ method: 'GET', path, query: new URLSearchParams(), body: '' });

describe('probes', () => {
  const rows = [
    { name: 'health while loading', path: '/health', readiness: { notReady: 'loading manifests', lastReloadError: undefined }, status: 200, text: 'OK' },
    { name: 'ready while loading', path: '/ready', readiness: { notReady: 'loading manifests', lastReloadError: undefined }, status: 503, text: 'not ready: loading manifests' },
    { name: 'ready once serving', path: '/ready', readiness: { notReady: undefined, lastReloadError: undefined }, status: 200, text: 'OK' },
    {
      name: 'ready with a broken reload keeps 200 and shows the error',
      path: '/ready',
      readiness: { notReady: undefined, lastReloadError: { at: 'T', problems: ['a.yaml, document 1: boom'] } },
      status: 200,
      text: 'OK\nlast reload failed at T; still serving the last good state:\na.yaml, document 1: boom\n',
    },
    { name: 'unknown path', path: '/nope', readiness: { notReady: undefined, lastReloadError: undefined }, status: 404, text: 'not found\n' },
  ];
  it.each(rows)('$name', async ({ path, readiness, status, text }) => {
    expect(await route(get(path), context(readiness))).toMatchObject({ status, text });
  });

  // The token is checked before routing (access.ts; test/admin/access.test.ts).
  it('/v1 before the manifests are loaded: 503', async () => {
    const loading = { notReady: 'loading manifests', lastReloadError: undefined };
    expect((await route(get('/v1/objects'), context(loading))).status).toBe(503);
  });
});
