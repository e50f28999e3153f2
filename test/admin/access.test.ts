// Who may use the admin server (issue 15 item 2, issue 14 item 4), with real
// HTTP requests against the real CLI: Host, Origin, Content-Type, token and
// path rows, each with the status a user sees. --allow from non-loopback
// client addresses is in allow-netns.test.ts.

import http from 'node:http';
import path from 'node:path';
import { writeFile } from 'node:fs/promises';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startServe, type ServerProcess } from '../helpers/server-process.js';
import { tempDir } from '../live/helpers.js';

const TOKEN = 'T0ken-for-tests';
const MANIFEST = `apiVersion: v1
kind: Service
metadata: {name: api, namespace: prod}
spec: {clusterIP: 10.96.7.7, ports: [{port: 80}]}
`;
const SERVICE_JSON = JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'b', namespace: 'prod' }, spec: { clusterIP: '10.96.7.9', ports: [{ port: 80 }] } });
const SERVICE_YAML = 'apiVersion: v1\nkind: Service\nmetadata: {name: c, namespace: prod}\nspec: {clusterIP: 10.96.7.10, ports: [{port: 80}]}\n';

interface Reply {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

interface Ask {
  readonly method?: string;
  /** Sent as is: no normalization by a URL parser. */
  readonly path: string;
  /** The Host header; undefined sends none. */
  readonly host?: string;
  readonly origin?: string;
  readonly contentType?: string;
  readonly token?: string;
  readonly body?: string;
  readonly extra?: Record<string, string>;
}

/** One request to 127.0.0.1:port with exactly the headers given. */
function ask(port: number, request: Ask): Promise<Reply> {
  const headers: Record<string, string> = { ...request.extra };
  if (request.host !== undefined) headers['host'] = request.host;
  if (request.origin !== undefined) headers['origin'] = request.origin;
  if (request.contentType !== undefined) headers['content-type'] = request.contentType;
  if (request.token !== undefined) headers['authorization'] = `Bearer ${request.token}`;
  return new Promise((resolve, reject) => {
    const outgoing = http.request(
      { host: '127.0.0.1', port, method: request.method ?? 'GET', path: request.path, headers, setHost: false, agent: false },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
      },
    );
    outgoing.on('error', reject);
    outgoing.end(request.body);
  });
}

async function startAdmin(http: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<ServerProcess & { httpPort: number }> {
  const server = await startServe(['--http', http, '-f', manifestPath, ...args], { env: { PATH: process.env['PATH'], ...env } });
  const line = server.logs.find((entry) => typeof entry['http'] === 'string');
  if (!line) throw new Error('no admin HTTP line in the log');
  const address = String(line['http']);
  return Object.assign(server, { httpPort: Number(address.slice(address.lastIndexOf(':') + 1)) });
}

let manifestPath: string;
let removeTemp: () => Promise<void>;
const servers: ServerProcess[] = [];

beforeAll(async () => {
  const temp = await tempDir();
  removeTemp = temp.remove;
  manifestPath = path.join(temp.dir, 'cluster.yaml');
  await writeFile(manifestPath, MANIFEST);
});
afterAll(async () => {
  await Promise.all(servers.map((server) => server.stop()));
  await removeTemp();
});

function noCors(reply: Reply): string[] {
  return Object.keys(reply.headers).filter((name) => name.startsWith('access-control-'));
}

describe('loopback listener with a token and --http-host clusterdns.test', () => {
  let port: number;
  beforeAll(async () => {
    const server = await startAdmin('127.0.0.1:0', ['--http-token', TOKEN, '--http-host', 'clusterdns.test']);
    servers.push(server);
    port = server.httpPort;
  });

  // Each row: what is sent, and the status the client gets. Defaults: GET, Host 127.0.0.1:PORT, the right token.
  const rows: (Omit<Ask, 'host'> & { name: string; host?: string | null; status: number; error?: RegExp })[] = [
    // Host: names of this listener pass, anything else (DNS rebinding) is refused on /v1
    { name: 'Host 127.0.0.1:PORT', path: '/v1/objects', status: 200 },
    { name: 'Host localhost:PORT', path: '/v1/objects', host: 'localhost:PORT', status: 200 },
    { name: 'Host localhost without a port', path: '/v1/objects', host: 'localhost', status: 200 },
    { name: 'Host LOCALHOST. (case, final dot)', path: '/v1/objects', host: 'LOCALHOST.:PORT', status: 200 },
    { name: 'Host [::1]:PORT', path: '/v1/objects', host: '[::1]:PORT', status: 200 },
    { name: 'Host 127.0.0.53 (all of 127/8 is loopback)', path: '/v1/objects', host: '127.0.0.53', status: 200 },
    { name: 'Host given with --http-host, another port (a published port)', path: '/v1/objects', host: 'clusterdns.test:18080', status: 200 },
    { name: 'Host of a rebinding attacker', path: '/v1/objects', host: 'rebind.evil.example:PORT', status: 403, error: /Host "rebind\.evil\.example:\d+" does not name this server.*--http-host/ },
    { name: 'Host that only starts like loopback', path: '/v1/objects', host: '127.0.0.1.evil.example', status: 403 },
    { name: 'Host localhost.evil.example', path: '/v1/objects', host: 'localhost.evil.example', status: 403 },
    { name: 'Host of another address', path: '/v1/objects', host: '192.0.2.7:PORT', status: 403 },
    { name: 'Host garbage', path: '/v1/objects', host: 'a b:c', status: 403 },
    { name: 'no Host header at all (HTTP/1.1 needs one)', path: '/v1/objects', host: null, status: 400 },
    { name: 'probes do not check Host (Prometheus, kubelet)', path: '/metrics', host: 'clusterdns-metrics:9153', status: 200 },
    { name: '/health with any Host', path: '/health', host: 'rebind.evil.example', status: 200 },
    { name: '/ready with any Host', path: '/ready', host: '10.1.2.3:8080', status: 200 },
    // Origin: only our own
    { name: 'Origin of this listener', path: '/v1/objects', host: 'localhost:PORT', origin: 'http://localhost:PORT', status: 200 },
    { name: 'Origin of a web page', path: '/v1/objects', origin: 'https://evil.example', status: 403, error: /cross-origin requests are not allowed \(Origin "https:\/\/evil\.example"/ },
    { name: 'Origin null (sandboxed page, file:)', path: '/v1/objects', origin: 'null', status: 403 },
    { name: 'Origin same host, other port', path: '/v1/objects', origin: 'http://127.0.0.1:1', status: 403 },
    { name: 'Origin https on our http port', path: '/v1/objects', origin: 'https://127.0.0.1:PORT', status: 403 },
    { name: 'Origin of a web page on /metrics', path: '/metrics', origin: 'http://evil.example', status: 403 },
    { name: 'Origin of a web page on /health', path: '/health', origin: 'http://evil.example', status: 403 },
    // Preflights are never granted
    { name: 'CORS preflight from a web page', method: 'OPTIONS', path: '/v1/apply', origin: 'http://evil.example', extra: { 'access-control-request-method': 'POST' }, status: 403, error: /grants no CORS preflight/ },
    { name: 'CORS preflight from our own origin', method: 'OPTIONS', path: '/v1/apply', origin: 'http://127.0.0.1:PORT', extra: { 'access-control-request-method': 'POST' }, status: 403 },
    { name: 'OPTIONS without an Origin (not a preflight)', method: 'OPTIONS', path: '/v1/apply', status: 405 },
    // Token
    { name: 'no token', path: '/v1/objects', token: '', status: 401 },
    { name: 'wrong token', path: '/v1/objects', token: 'nope', status: 401 },
    { name: 'the token is checked before the Content-Type', method: 'POST', path: '/v1/apply', token: '', contentType: 'text/plain', body: SERVICE_YAML, status: 401 },
    { name: 'probes need no token', path: '/ready', token: '', status: 200 },
    // Writes need a Content-Type a browser cannot send without a preflight
    { name: 'apply as application/json', method: 'POST', path: '/v1/apply', contentType: 'application/json', body: SERVICE_JSON, status: 200 },
    { name: 'apply as application/yaml', method: 'POST', path: '/v1/apply', contentType: 'application/yaml', body: SERVICE_YAML, status: 200 },
    { name: 'apply as Application/YAML; charset=utf-8', method: 'POST', path: '/v1/apply', contentType: 'Application/YAML; charset=utf-8', body: SERVICE_YAML, status: 200 },
    { name: 'apply as text/plain (a simple request)', method: 'POST', path: '/v1/apply', contentType: 'text/plain', body: SERVICE_YAML, status: 415, error: /POST needs Content-Type: application\/json or application\/yaml, got "text\/plain"/ },
    { name: 'apply as a form', method: 'POST', path: '/v1/apply', contentType: 'application/x-www-form-urlencoded', body: 'a=b', status: 415 },
    { name: 'apply as multipart', method: 'POST', path: '/v1/apply', contentType: 'multipart/form-data; boundary=x', body: '--x--', status: 415 },
    { name: 'apply with no Content-Type', method: 'POST', path: '/v1/apply', body: SERVICE_YAML, status: 415 },
    { name: 'reset with no body and no Content-Type', method: 'POST', path: '/v1/reset', status: 415 },
    { name: 'reset as application/json', method: 'POST', path: '/v1/reset', contentType: 'application/json', status: 200 },
    { name: 'DELETE with no Content-Type', method: 'DELETE', path: '/v1/objects/Service/prod/b', status: 415 },
    { name: 'GET needs no Content-Type', path: '/v1/records?name=api.prod.svc.cluster.local', status: 200 },
    // Malformed paths: 400, never 500
    { name: 'truncated percent-encoding in a /v1 path', method: 'DELETE', path: '/v1/objects/Service/prod/%E0%A4%A', contentType: 'application/json', status: 400, error: /malformed request path/ },
    { name: 'percent-encoding of no byte', path: '/v1/objects/%zz', status: 400 },
    { name: 'bad UTF-8 in a probe path', path: '/health%C0', status: 400 },
    { name: 'a lone %', path: '/%', status: 400 },
    { name: 'absolute-form target naming another host', path: 'http://evil.example/v1/objects', status: 400 },
    { name: 'a path starting with //', path: '//v1/objects', status: 400 },
    { name: 'good percent-encoding still routes', method: 'DELETE', path: '/v1/objects/Service/prod/%61pi', contentType: 'application/json', status: 200 },
  ];

  it.each(rows)('$name → $status', async (row) => {
    const fill = (text: string | undefined): string | undefined => text?.replace('PORT', String(port));
    const reply = await ask(port, {
      ...row,
      host: row.host === null ? undefined : (fill(row.host) ?? `127.0.0.1:${port}`),
      origin: fill(row.origin),
      token: row.token === '' ? undefined : (row.token ?? TOKEN),
    });
    expect({ status: reply.status, body: reply.body }).toMatchObject({ status: row.status });
    if (row.error) expect((JSON.parse(reply.body) as { error: string }).error).toMatch(row.error);
    expect(noCors(reply)).toEqual([]);
    // A refusal closes the connection instead of draining a body nobody will read.
    if ([400, 401, 403, 415].includes(row.status)) expect(reply.headers['connection']).toBe('close');
  });
});

describe('listening beyond loopback (0.0.0.0), reached through 127.0.0.1', () => {
  it('without a token: serve starts and warns; probes answer, every /v1 call is 403 and says how to set a token', async () => {
    const server = await startAdmin('0.0.0.0:0', []);
    servers.push(server);
    const port = server.httpPort;
    const warning = server.logs.find((entry) => entry['controlApi'] === 'closed');
    expect(warning).toMatchObject({ level: 40, msg: expect.stringMatching(/^the \/v1 control API is closed .*CLUSTERDNS_HTTP_TOKEN/) });
    for (const probe of ['/health', '/ready', '/metrics']) expect((await ask(port, { path: probe, host: `127.0.0.1:${port}` })).status).toBe(200);
    const calls: Ask[] = [
      { path: '/v1/objects', host: `127.0.0.1:${port}` },
      { path: '/v1/objects', host: `127.0.0.1:${port}`, token: 'anything' },
      { method: 'POST', path: '/v1/apply', host: `localhost:${port}`, contentType: 'application/yaml', body: SERVICE_YAML },
      { method: 'POST', path: '/v1/reset', host: `localhost:${port}`, contentType: 'application/json' },
    ];
    for (const call of calls) {
      const reply = await ask(port, call);
      expect(reply.status).toBe(403);
      expect((JSON.parse(reply.body) as { error: string }).error).toBe(
        'the /v1 control API is closed: --http listens on 0.0.0.0, not loopback, and no token is set; set a token with ' +
          'CLUSTERDNS_HTTP_TOKEN, --http-token-file FILE or --http-token TOKEN and send "Authorization: Bearer TOKEN", ' +
          'or listen on loopback (--http 127.0.0.1:PORT)',
      );
    }
  });

  it('token from CLUSTERDNS_HTTP_TOKEN: /v1 answers with it, the listening address is a good Host, a foreign one is not', async () => {
    const server = await startAdmin('0.0.0.0:0', [], { CLUSTERDNS_HTTP_TOKEN: 'from-env' });
    servers.push(server);
    const port = server.httpPort;
    expect(server.logs.some((entry) => entry['controlApi'] === 'closed')).toBe(false);
    const status = async (host: string, token?: string): Promise<number> => (await ask(port, { path: '/v1/objects', host, ...(token ? { token } : {}) })).status;
    expect(await status(`127.0.0.1:${port}`, 'from-env')).toBe(200);
    expect(await status(`0.0.0.0:${port}`, 'from-env')).toBe(200);
    expect(await status(`127.0.0.1:${port}`)).toBe(401);
    expect(await status(`dns.evil.example:${port}`, 'from-env')).toBe(403);
  });

  it('token from --http-token-file (its final newline dropped) wins over CLUSTERDNS_HTTP_TOKEN', async () => {
    const file = path.join(path.dirname(manifestPath), 'token');
    await writeFile(file, 'from-file\n');
    const server = await startAdmin('0.0.0.0:0', ['--http-token-file', file], { CLUSTERDNS_HTTP_TOKEN: 'from-env' });
    servers.push(server);
    const port = server.httpPort;
    expect((await ask(port, { path: '/v1/objects', host: `localhost:${port}`, token: 'from-file' })).status).toBe(200);
    expect((await ask(port, { path: '/v1/objects', host: `localhost:${port}`, token: 'from-env' })).status).toBe(401);
  });
});

describe('token mistakes stop serve with a usage error (exit 2)', () => {
  it.each([
    { name: 'an empty CLUSTERDNS_HTTP_TOKEN', args: [], env: { CLUSTERDNS_HTTP_TOKEN: '' }, message: 'clusterdns: CLUSTERDNS_HTTP_TOKEN gives an empty token; give one, or unset it for none' },
    { name: 'both token flags', args: ['--http-token', 'a', '--http-token-file', '/nonexistent'], env: {}, message: 'clusterdns: give the control API token once: --http-token or --http-token-file, not both' },
    { name: 'a token file that is not there', args: ['--http-token-file', '/nonexistent/token'], env: {}, message: 'clusterdns: --http-token-file: cannot read /nonexistent/token: ENOENT' },
    { name: '--http-host with a port', args: ['--http-host', 'clusterdns:8080'], env: {}, message: 'clusterdns: --http-host must be a host name or address without a port, like clusterdns or dns.test, got "clusterdns:8080"' },
  ])('$name', async ({ args, env, message }) => {
    const result = await runCli(['serve', '--port', '0', '--http', '[::]:0', '-f', manifestPath, ...args], { env: { PATH: process.env['PATH'], ...env } });
    expect({ code: result.code, first: result.stderr.split('\n')[0] }).toEqual({ code: 2, first: message });
  });
});

describe('an IPv6 wildcard listener ([::]) without a token', () => {
  it('closes /v1 and still answers probes, reached through [::1]', async () => {
    const server = await startAdmin('[::]:0', []);
    servers.push(server);
    const request = (path: string): Promise<number> =>
      new Promise((resolve, reject) => {
        const outgoing = http.request({ host: '::1', port: server.httpPort, path, agent: false }, (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        });
        outgoing.on('error', reject);
        outgoing.end();
      });
    expect(server.logs.find((entry) => entry['controlApi'] === 'closed')).toMatchObject({ msg: expect.stringContaining('--http listens on ::, not loopback') });
    expect(await request('/ready')).toBe(200);
    expect(await request('/v1/objects')).toBe(403);
  });
});

describe('no request path gets a 500', () => {
  // Pieces that have broken path handling: bad and partial percent-encoding,
  // encoded slashes and dots, overlong UTF-8, backslashes, query and fragment marks.
  const PIECES = ['/', 'v1', 'objects', 'Service', 'default', 'web', 'records', 'health', '%', '%E0', '%E0%A4', '%E0%A4%A4', '%zz', '%2F', '%2e%2e', '..', '%C0%AF', '%80', '%FF', '\\', '?', '?name=%', '#', ':', '@', '%00', 'é'];
  const segment = fc.array(fc.constantFrom(...PIECES.filter((piece) => piece !== '/')), { minLength: 1, maxLength: 3 }).map((parts) => parts.join(''));
  // The routes' shapes with odd segments (so a route's parameters get decoded), and free-form paths.
  const paths = fc.oneof(
    fc.tuple(segment, segment, segment).map(([kind, namespace, name]) => `/v1/objects/${kind}/${namespace}/${name}`),
    fc.tuple(segment, segment).map(([namespace, name]) => `/v1/pods/${namespace}/${name}/ready`),
    fc.array(fc.constantFrom(...PIECES), { maxLength: 8 }).map((pieces) => `/${pieces.join('')}`),
  );
  it('random paths with the token and a JSON Content-Type, every method: 400, 404, 405 or 2xx', async () => {
    const server = await startAdmin('127.0.0.1:0', ['--http-token', TOKEN]);
    servers.push(server);
    const statuses = new Set<number>();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('GET', 'POST', 'DELETE'), paths, async (method, path) => {
        const reply = await ask(server.httpPort, {
          method,
          path,
          host: `localhost:${server.httpPort}`,
          token: TOKEN,
          contentType: 'application/json',
          body: method === 'GET' ? undefined : '{}',
        });
        statuses.add(reply.status);
        expect(reply.status).toBeLessThan(500);
      }),
      { numRuns: 300 },
    );
    expect([...statuses].sort()).toEqual(expect.arrayContaining([400, 404]));
  }, 60_000);
});
