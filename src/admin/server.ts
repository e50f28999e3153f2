// The admin HTTP server (--http): /health, /ready, /metrics and the /v1
// control API, on node:http. Handlers are plain functions of a parsed
// request (routes.ts) so they are easy to follow; who may call what is
// access.ts, checked before a body is read; this file is the transport.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log.js';
import { AdminAccess, HOW_TO_SET_A_TOKEN } from './access.js';
import { route } from './routes.js';
import type { AdminContext, AdminReply } from './types.js';

/** Control-API bodies larger than this are refused (413). */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

export interface AdminServer {
  readonly host: string;
  readonly port: number;
  /** True when /v1 answers 403 to everyone: listening beyond loopback without a token. */
  readonly controlClosed: boolean;
  close(): Promise<void>;
}

export class AdminListenError extends Error {}

export async function startAdminServer(host: string, port: number, context: AdminContext, logger: Logger): Promise<AdminServer> {
  const log = logger.child({ module: 'admin' });
  const access = new AdminAccess(host, context.access ?? {});
  const server: Server = createServer((request, response) => {
    void serve(request, response, context, access).catch((err: unknown) => {
      log.error({ err, path: request.url }, 'admin request failed');
      if (!response.headersSent) send(response, { status: 500, json: { error: 'internal error' } });
      else response.destroy();
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(new AdminListenError(`cannot listen for --http on ${host}:${port}: ${err.code ?? err.message}`)),
    );
    server.listen(port, host, () => resolve());
  });
  server.on('error', (err) => log.error({ err }, 'admin server error'));
  const address = server.address() as AddressInfo;
  if (access.controlClosed) {
    log.warn(
      { http: address.address.includes(':') ? `[${address.address}]:${address.port}` : `${address.address}:${address.port}`, controlApi: 'closed' },
      `the /v1 control API is closed (every call answers 403): --http listens on ${address.address}, not loopback, and no token is set; ` +
        `${HOW_TO_SET_A_TOKEN}. /health, /ready and /metrics are served.`,
    );
  }
  return {
    host: address.address,
    port: address.port,
    controlClosed: access.controlClosed,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function serve(request: IncomingMessage, response: ServerResponse, context: AdminContext, access: AdminAccess): Promise<void> {
  const method = request.method ?? 'GET';
  const target = parseTarget(request.url ?? '');
  if (target === undefined) return refuse(response, { status: 400, json: { error: `malformed request path: ${JSON.stringify(request.url)}` } });
  const refusal = access.check({
    method,
    path: target.path,
    host: request.headers.host,
    origin: request.headers.origin,
    contentType: request.headers['content-type'],
    authorization: request.headers.authorization,
    remoteAddress: request.socket.remoteAddress,
    localAddress: request.socket.localAddress,
  });
  if (refusal) return refuse(response, refusal);
  const body = await readBody(request);
  const reply =
    body === undefined
      ? { status: 413, json: { error: `body larger than ${MAX_BODY_BYTES} bytes` } }
      : await route({ method, path: target.path, query: target.query, body }, context);
  send(response, reply);
}

/**
 * Path and query of an origin-form request target (`/v1/objects?x=1`), or
 * undefined for anything else: absolute or authority form, `*`, and
 * percent-encoding that does not decode to UTF-8 (`/v1/objects/%E0%A4%A`).
 */
function parseTarget(url: string): { path: string; query: URLSearchParams } | undefined {
  if (!url.startsWith('/') || url.startsWith('//')) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(`http://admin${url}`);
    decodeURIComponent(parsed.pathname);
  } catch {
    return undefined;
  }
  return { path: parsed.pathname, query: parsed.searchParams };
}

/** A refusal closes the connection, so a body the client still sends is never read (or drained). */
function refuse(response: ServerResponse, reply: AdminReply): void {
  send(response, { ...reply, headers: { ...reply.headers, connection: 'close' } });
}

function send(response: ServerResponse, reply: AdminReply): void {
  const headers: Record<string, string> = { ...reply.headers };
  let payload: string;
  if (reply.json !== undefined) {
    headers['content-type'] = 'application/json; charset=utf-8';
    payload = `${JSON.stringify(reply.json, null, 2)}\n`;
  } else {
    headers['content-type'] ??= 'text/plain; charset=utf-8';
    payload = reply.text ?? '';
  }
  response.writeHead(reply.status, headers);
  response.end(payload);
}

/** The whole body as text, or undefined when it is too large. */
async function readBody(request: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
