// Probes in-process (no sockets): readiness before and after loading, and
// the token check, through `route` with a fake context.

import { describe, expect, it } from 'vitest';
import { route, type AdminContext, type Readiness } from '../../src/admin/routes.js';

function context(readiness: Readiness, token?: string): AdminContext {
  return { readiness: () => readiness, live: () => undefined, ...(token ? { token } : {}) };
}

const get = (path: string, authorization?: string) => ({ method: 'GET', path, query: new URLSearchParams(), body: '', authorization });

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

  it('/v1 before the manifests are loaded: 503; with a token, 401 comes first', async () => {
    const loading = { notReady: 'loading manifests', lastReloadError: undefined };
    expect((await route(get('/v1/objects'), context(loading))).status).toBe(503);
    expect((await route(get('/v1/objects'), context(loading, 'tok'))).status).toBe(401);
    expect((await route(get('/v1/objects', 'Bearer tok'), context(loading, 'tok'))).status).toBe(503);
  });
});
