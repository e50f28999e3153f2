// The /v1 control API: change the live cluster mid-test without touching
// files. Every change goes through LiveCluster, so it is validated like a
// file and swapped in atomically like a reload.

import { describeSource, ipList, objectKey } from '../cluster/index.js';
import type { ChangeResult, LiveCluster } from '../live/controller.js';
import { listRecords } from '../live/records.js';
import type { AdminReply, AdminRequest } from './types.js';

type Handler = (request: AdminRequest, live: LiveCluster, params: string[]) => AdminReply | Promise<AdminReply>;

const ROUTES: readonly { method: string; pattern: RegExp; handler: Handler }[] = [
  { method: 'POST', pattern: /^\/v1\/apply$/, handler: async (req, live) => changeReply(await live.apply(req.body)) },
  { method: 'DELETE', pattern: /^\/v1\/objects\/([^/]+)\/([^/]+)\/([^/]+)$/, handler: remove },
  { method: 'POST', pattern: /^\/v1\/scale$/, handler: scale },
  { method: 'POST', pattern: /^\/v1\/pods\/([^/]+)\/([^/]+)\/ready$/, handler: podReady },
  { method: 'POST', pattern: /^\/v1\/reset$/, handler: async (_req, live) => changeReply(await live.reset()) },
  { method: 'GET', pattern: /^\/v1\/records$/, handler: records },
  { method: 'GET', pattern: /^\/v1\/objects$/, handler: objects },
];

export async function controlRoutes(request: AdminRequest, live: LiveCluster): Promise<AdminReply> {
  const matching = ROUTES.filter((r) => r.pattern.test(request.path));
  if (matching.length === 0) return { status: 404, json: { error: `no such endpoint: ${request.path}` } };
  const found = matching.find((r) => r.method === request.method);
  if (!found) return { status: 405, json: { error: `use ${matching.map((r) => r.method).join(', ')}` }, headers: { allow: matching.map((r) => r.method).join(', ') } };
  const params = (found.pattern.exec(request.path) ?? []).slice(1).map((p) => decodeURIComponent(p));
  return found.handler(request, live, params);
}

function changeReply(result: ChangeResult): AdminReply {
  switch (result.kind) {
    case 'changed':
      return { status: 200, json: { serial: result.serial, ...result.diff } };
    case 'invalid':
      return { status: 400, json: { error: 'nothing changed', problems: result.problems } };
    case 'not-found':
      return { status: 404, json: { error: `${result.what} not found` } };
  }
}

async function remove(_req: AdminRequest, live: LiveCluster, [kind, namespace, name]: string[]): Promise<AdminReply> {
  return changeReply(await live.delete(kind!, namespace!, name!));
}

async function scale(req: AdminRequest, live: LiveCluster): Promise<AdminReply> {
  const body = parseJson(req.body);
  if (!body.ok) return body.reply;
  const missing = ['kind', 'namespace', 'name'].filter((field) => typeof body.value[field] !== 'string');
  if (missing.length > 0) return invalid(missing.map((field) => `${field} must be a string`));
  const { kind, namespace, name, replicas } = body.value as { kind: string; namespace: string; name: string; replicas: unknown };
  return changeReply(await live.scale(kind, namespace, name, replicas));
}

async function podReady(req: AdminRequest, live: LiveCluster, [namespace, name]: string[]): Promise<AdminReply> {
  const body = parseJson(req.body);
  if (!body.ok) return body.reply;
  const ready = body.value['ready'];
  if (typeof ready !== 'boolean') return invalid([`ready must be true or false, got ${JSON.stringify(ready) ?? 'nothing'}`]);
  return changeReply(await live.setPodReady(namespace!, name!, ready));
}

/** The records the server answers with, filtered by exact name and/or type. */
function records(req: AdminRequest, live: LiveCluster): AdminReply {
  const index = live.current.index;
  const found = listRecords(index, req.query.get('name') ?? undefined, req.query.get('type') ?? undefined);
  if (!found.ok) return invalid([found.problem]);
  return { status: 200, json: { serial: index.serial, records: found.records } };
}

/** The objects the state is built from, and the pods and services it holds. */
function objects(_req: AdminRequest, live: LiveCluster): AdminReply {
  const { state, index } = live.current;
  return {
    status: 200,
    json: {
      serial: index.serial,
      lastReloadError: live.lastError ?? null,
      objects: live.currentObjects().map((object) => ({
        key: objectKey(object),
        kind: object.kind,
        namespace: object.meta.namespace,
        name: object.meta.name,
        source: describeSource(object.meta.source),
      })),
      services: state.services.map((s) => ({
        namespace: s.namespace,
        name: s.name,
        kind: s.kind,
        clusterIPs: s.clusterIPs,
        readyEndpoints: s.endpoints.filter((e) => e.ready).map((e) => e.address),
      })),
      pods: state.pods.map((p) => ({ namespace: p.namespace, name: p.name, ips: ipList(p.ips), ready: p.ready, ...(p.owner ? { owner: p.owner } : {}) })),
    },
  };
}

function invalid(problems: string[]): AdminReply {
  return { status: 400, json: { error: 'nothing changed', problems } };
}

function parseJson(text: string): { ok: true; value: Record<string, unknown> } | { ok: false; reply: AdminReply } {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return { ok: true, value: value as Record<string, unknown> };
    return { ok: false, reply: invalid(['the body must be a JSON object']) };
  } catch (error) {
    return { ok: false, reply: invalid([`the body is not JSON: ${error instanceof Error ? error.message : String(error)}`]) };
  }
}
