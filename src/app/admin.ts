// The admin side of the composition root (--http, the Node API's `http`):
// the HTTP server with probes, metrics and the /v1 control API, up before the
// manifests load so /health answers and /ready says why not yet; and the
// observers every answered query goes through (metrics, the query log).

import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import type { Forwarding } from '../forward/index.js';
import type { LiveCluster } from '../live/index.js';
import type { RequestGate } from '../server/guards.js';
import { accessSettings, startAdminServer, type AdminContext, type AdminServer, type Metrics, type QueryLog } from '../admin/index.js';
import type { QueryObserver } from './dns.js';

/** What the admin server reports, filled in as the start proceeds. */
interface AdminState {
  /** Why we are not ready (yet, or any more); undefined while serving. */
  notReady: string | undefined;
  live: LiveCluster | undefined;
  forwarding: Forwarding | undefined;
  /** The DNS server's guards (metrics), once bound. */
  gate: RequestGate | undefined;
  /** CoreDNS's `server` metric label, once the port is bound. */
  serverLabel: string;
}

export interface Admin {
  readonly state: AdminState;
  readonly metrics: Metrics;
  readonly server: AdminServer;
}

/** Start the admin server when `config.http` asks for one; rejects with an AdminListenError when it cannot listen. */
export async function startAdmin(config: Config, logger: Logger): Promise<Admin | undefined> {
  if (config.http === null) return undefined;
  const state: AdminState = {
    notReady: 'loading manifests',
    live: undefined,
    forwarding: undefined,
    gate: undefined,
    serverLabel: `dns://${formatAddress(config.bind, config.port)}`,
  };
  // prom-client costs ~13 MB of RSS to load: only servers with an admin server pay it.
  const { createMetrics } = await import('../admin/metrics.js');
  const metrics = createMetrics({
    server: () => state.serverLabel,
    clusterDomain: config.clusterDomain,
    family: config.bind.includes(':') ? '2' : '1',
    forwarderStats: () => state.forwarding?.forwarder.stats,
    guardStats: () => state.gate && { tcp: state.gate.tcp.stats, rateLimit: state.gate.rateLimiter, refusedOutsideAllow: state.forwarding?.refusedOutsideAllow ?? 0 },
  });
  const context: AdminContext = {
    readiness: () => ({ notReady: state.notReady, lastReloadError: state.live?.lastError }),
    metrics,
    live: () => state.live,
    access: accessSettings(config),
  };
  const server = await startAdminServer(config.http.host, config.http.port, context, logger);
  logger.info({ http: formatAddress(server.host, server.port) }, `admin HTTP on http://${formatAddress(server.host, server.port)} (/health /ready /metrics /v1)`);
  return { state, metrics, server };
}

/** Metrics and the query log, when on; undefined keeps the hot path bare. */
export function queryObserver(queryLog: QueryLog | undefined, admin: Admin | undefined): QueryObserver | undefined {
  const observers: QueryObserver[] = [];
  if (admin) observers.push((q, r, s) => admin.metrics.observe(q, r, s));
  if (queryLog) observers.push(queryLog.observe);
  if (observers.length === 0) return undefined;
  if (observers.length === 1) return observers[0];
  return (query, response, seconds) => {
    for (const observe of observers) observe(query, response, seconds);
  };
}

/** `host:port`, the host in brackets when it is IPv6. */
export function formatAddress(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
