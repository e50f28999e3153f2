// startClusterDns: the Node API, a thin adapter over the composition root
// that `clusterdns serve` uses too (admin, live reload, loop check, drain),
// with the control API's changes as methods on the one LiveCluster.

import { Resolver } from 'node:dns/promises';
import { startApp, StartError, type App } from '../app/index.js';
import { ipList } from '../cluster/index.js';
import { endpointKey } from '../forward/index.js';
import { listRecords, type ChangeResult, type RecordListing } from '../live/index.js';
import { ClusterDnsError } from './errors.js';
import { prepare, type ClusterDnsOptions } from './options.js';
import { loadCorefile } from '../corefile/index.js';
import { applyText, type ManifestInput } from './sources.js';

/** What one change did: owner names whose records appeared, went away or changed. */
export interface ChangeSummary {
  /** The SOA serial now served. */
  readonly serial: number;
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly changed: readonly string[];
}

/** A pod as `pods()` lists it. */
export interface PodListing {
  readonly namespace: string;
  readonly name: string;
  readonly ips: readonly string[];
  readonly ready: boolean;
  /** `Deployment/userlist`, `StatefulSet/web`; absent for Pod objects. */
  readonly owner?: string;
}

export interface ClusterDns {
  /** The address listened on, as bound (`127.0.0.1`, or `0.0.0.0` when asked for). */
  readonly host: string;
  /** The UDP and TCP port (the actual one when started with port 0). */
  readonly port: number;
  /**
   * Where a client sends queries, as `"127.0.0.1:53053"` (`"[::1]:53053"` for
   * IPv6; a wildcard bind gives the loopback address). The form
   * `Resolver#setServers` and most DNS libraries take.
   */
  readonly udp: string;
  /** Same address as `udp`: both transports share the port. */
  readonly tcp: string;
  /** With the `http` option: the admin server's base URL, `"http://127.0.0.1:PORT"` (a wildcard listener gives loopback). */
  readonly http?: string;
  /** A new `node:dns/promises` Resolver that asks this server (and nothing else). */
  resolver(options?: { timeout?: number; tries?: number }): Resolver;
  /** Create or replace objects: YAML/JSON text (one or more documents), an object, or an array of them. */
  apply(manifests: string | ManifestInput | readonly ManifestInput[]): Promise<ChangeSummary>;
  /** Remove an object: `delete('Service', 'user03', 'userlist-svc')`; kind in any case, plural accepted. */
  delete(kind: string, namespace: string, name: string): Promise<ChangeSummary>;
  /** Set the replicas of a Deployment, StatefulSet or ReplicaSet. */
  scale(kind: string, namespace: string, name: string, replicas: number): Promise<ChangeSummary>;
  /** Mark a pod ready or not ready: not-ready pods leave their services' endpoints. */
  setReady(namespace: string, pod: string, ready: boolean): Promise<ChangeSummary>;
  /** Drop every change made through this API: back to what the manifests say. */
  reset(): Promise<ChangeSummary>;
  /** Re-read every manifest (paths from disk; text and objects as given), keeping API changes. */
  reload(): Promise<ChangeSummary>;
  /** The records served now, optionally of one name (any case, trailing dot optional) and one type. */
  records(name?: string, type?: string): RecordListing[];
  /** The pods now, optionally of one namespace: the names `setReady` takes (Deployment pods get generated ones). */
  pods(namespace?: string): PodListing[];
  /** Stop listening and release every socket, watcher and timer. Safe to call twice. */
  close(): Promise<void>;
}

/** Start a clusterdns server in this process. Rejects with a ClusterDnsError listing every problem. */
export async function startClusterDns(options: ClusterDnsOptions): Promise<ClusterDns> {
  const corefile = typeof options?.corefile === 'string' ? await loadCorefile(options.corefile) : undefined;
  if (corefile && !corefile.ok) throw new ClusterDnsError('options', 'invalid corefile', corefile.problems);
  const { config, logger, sources } = prepare(options, corefile?.settings.values);
  if (corefile?.ok && corefile.settings.ignored.length > 0) {
    logger.child({ module: 'corefile' }).info({ ignored: corefile.settings.ignored }, `${options.corefile}: not modelled by clusterdns, ignored: ${corefile.settings.ignored.join(', ')}`);
  }
  for (const warning of corefile?.ok ? corefile.settings.warnings : []) logger.child({ module: 'corefile' }).warn(warning);
  const app = await startApp(config, logger, { signals: false, sources: () => sources.load() }).catch((error: unknown) => {
    throw error instanceof StartError ? apiError(error) : error;
  });
  // The CLI serves while it checks and exits on a loop; a library says so before it hands out a server that would loop.
  const loop = await app.loopCheck;
  if (loop) {
    await app.stop(0);
    await handlesReleased();
    throw new ClusterDnsError('loop', `forwarding loop detected: upstream ${endpointKey(loop)} sends our queries back to this server; name an upstream that does not use clusterdns`);
  }
  return handle(app);
}

/** The root's refusal in this API's codes: bad upstreams are a bad option; the manifests' problems are listed. */
function apiError(error: StartError): ClusterDnsError {
  switch (error.failure) {
    case 'manifests':
      return new ClusterDnsError('invalid', 'the manifests have errors', error.problems);
    case 'upstreams':
      return new ClusterDnsError('options', error.message);
    case 'listen':
      return new ClusterDnsError('listen', error.message, [], { cause: error.cause });
  }
}

function handle(app: App): ClusterDns {
  const { server, admin } = app;
  const address = clientAddress(server.dns.host, server.dns.port);
  const resolvers = new Set<Resolver>();
  let closing: Promise<void> | undefined;
  const change = async (run: () => Promise<ChangeResult>): Promise<ChangeSummary> => {
    if (closing) throw new ClusterDnsError('closed', 'this clusterdns server is closed');
    return summary(await run());
  };
  const cluster = app.live.cluster;
  return {
    host: server.dns.host,
    port: server.dns.port,
    udp: address,
    tcp: address,
    ...(admin ? { http: `http://${clientAddress(admin.host, admin.port)}` } : {}),
    resolver(resolverOptions) {
      const resolver = new Resolver(resolverOptions);
      resolver.setServers([address]);
      resolvers.add(resolver);
      return resolver;
    },
    apply: (manifests) =>
      change(() => {
        let text: string;
        try {
          text = applyText(manifests);
        } catch (error) {
          return Promise.resolve({ kind: 'invalid', problems: [`cannot read the objects: ${(error as Error).message}`] });
        }
        return cluster.apply(text);
      }),
    delete: (kind, namespace, name) => change(() => cluster.delete(kind, namespace, name)),
    scale: (kind, namespace, name, replicas) => change(() => cluster.scale(kind, namespace, name, replicas)),
    setReady: (namespace, pod, ready) => change(() => cluster.setPodReady(namespace, pod, ready)),
    reset: () => change(() => cluster.reset()),
    reload: () => change(() => cluster.reload('reload()')),
    records(name, type) {
      const found = listRecords(cluster.current.index, name, type);
      if (!found.ok) throw new ClusterDnsError('options', found.problem);
      return found.records;
    },
    pods(namespace) {
      return cluster.current.state.pods
        .filter((pod) => namespace === undefined || pod.namespace === namespace)
        .map((pod) => ({ namespace: pod.namespace, name: pod.name, ips: ipList(pod.ips), ready: pod.ready, ...(pod.owner ? { owner: pod.owner } : {}) }));
    },
    close() {
      closing ??= (async () => {
        for (const resolver of resolvers) resolver.cancel();
        // No grace period: queries still waiting on an upstream are answered SERVFAIL now.
        await app.stop(0);
        await handlesReleased();
      })();
      return closing;
    },
  };
}

/**
 * Sockets report "closed" before libuv has released their handles, which
 * happens in the close phase of the next loop turn. Wait for it, so a caller
 * checking for leaked handles after close() sees none.
 */
async function handlesReleased(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setImmediate(resolve));
}

function summary(result: ChangeResult): ChangeSummary {
  switch (result.kind) {
    case 'changed':
      return { serial: result.serial, ...result.diff };
    case 'invalid':
      throw new ClusterDnsError('invalid', 'nothing changed', result.problems);
    case 'not-found':
      throw new ClusterDnsError('not-found', `${result.what} not found; nothing changed`);
  }
}

/** `host:port` a client can send to: a wildcard bind is reached through loopback. */
function clientAddress(host: string, port: number): string {
  const target = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return target.includes(':') ? `[${target}]:${port}` : `${target}:${port}`;
}
