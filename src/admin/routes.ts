// Admin endpoints as plain functions: a parsed request in, a reply out.
//
// Probes follow CoreDNS (`health` plugin: GET /health -> 200 OK; `ready`
// plugin: GET /ready -> 200 once serving, 503 before). /v1 is our control
// API; every answer there is JSON.

import type { LiveCluster, ReloadError } from '../live/controller.js';
import type { Metrics } from './metrics.js';
import { controlRoutes } from './control.js';
import { isControlPath, type AccessSettings } from './access.js';

export interface AdminRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly body: string;
}

export interface AdminReply {
  readonly status: number;
  readonly json?: unknown;
  readonly text?: string;
  readonly headers?: Record<string, string>;
}

export interface Readiness {
  /** Why we are not ready yet, or undefined once manifests are loaded and listeners bound. */
  readonly notReady: string | undefined;
  readonly lastReloadError: ReloadError | undefined;
}

export interface AdminContext {
  readiness(): Readiness;
  readonly metrics?: Metrics;
  /** Undefined until the manifests are loaded. */
  live(): LiveCluster | undefined;
  /** Who may call what (--allow, --http-host, the token): checked by the server before routing. */
  readonly access?: AccessSettings;
}

export async function route(request: AdminRequest, context: AdminContext): Promise<AdminReply> {
  if (isControlPath(request.path)) return controlApi(request, context);
  const probe = PROBES[request.path];
  if (probe === undefined) return { status: 404, text: 'not found\n' };
  if (request.method !== 'GET' && request.method !== 'HEAD') return { status: 405, text: 'method not allowed\n', headers: { allow: 'GET' } };
  return probe(context);
}

const PROBES: Record<string, (context: AdminContext) => AdminReply | Promise<AdminReply>> = {
  '/health': () => ({ status: 200, text: 'OK' }),
  '/ready': ready,
  '/metrics': metrics,
};

/** 200 `OK` (plus the last reload error, if the files are broken now) or 503 with the reason. */
function ready(context: AdminContext): AdminReply {
  const { notReady, lastReloadError } = context.readiness();
  const details = lastReloadError
    ? `\nlast reload failed at ${lastReloadError.at}; still serving the last good state:\n${lastReloadError.problems.join('\n')}\n`
    : '';
  if (notReady !== undefined) return { status: 503, text: `not ready: ${notReady}${details}` };
  return { status: 200, text: `OK${details}` };
}

async function metrics(context: AdminContext): Promise<AdminReply> {
  if (!context.metrics) return { status: 404, text: 'metrics are off\n' };
  const registry = context.metrics.registry;
  return { status: 200, text: await registry.metrics(), headers: { 'content-type': registry.contentType } };
}

/** Reached only past the access checks (access.ts): allow list, Origin, Host, token, Content-Type. */
async function controlApi(request: AdminRequest, context: AdminContext): Promise<AdminReply> {
  const live = context.live();
  if (live === undefined) return { status: 503, json: { error: 'manifests are not loaded yet' } };
  return controlRoutes(request, live);
}
