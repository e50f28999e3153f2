// Prometheus metrics under CoreDNS's names, so existing dashboards work.
//
// The hot path is `observe`: a map hit on (qtype, proto) and a few number
// increments; samples are built only when /metrics is scraped.
// Forwarder, cache and guard counters are read from their owners' stats when
// scraped, never counted twice.

import { Counter, Gauge, Registry, type Metric } from 'prom-client';
import { RRType, rrTypeName } from '../dns/types.js';
import type { Query } from '../dns/query.js';
import type { LoadedCluster } from '../pipeline/index.js';
import type { ForwarderStats } from '../forward/index.js';
import type { TcpGuardStats } from '../server/tcp-limits.js';

const RCODE_NAMES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED', 'YXDOMAIN', 'YXRRSET', 'NXRRSET', 'NOTAUTH', 'NOTZONE'];
const KNOWN_TYPES = new Set<number>(Object.values(RRType));
/** The zone label of names outside the cluster domain: the root, CoreDNS's `.:53` server block. */
const ROOT_ZONE = '.';

export interface MetricsOptions {
  /**
   * `dns://host:port`, CoreDNS's `server` label. A function because the port
   * is known only once bound (--port 0); read when a label set is first used.
   */
  readonly server: () => string;
  /**
   * The cluster domain (`cluster.local`): queries for it and names under it
   * are labelled zone="cluster.local.", as CoreDNS labels a server block for
   * the cluster zone; every other name zone=".". Absent: all ".".
   */
  readonly clusterDomain?: string;
  /** '1' for IPv4, '2' for IPv6: the family of the address we listen on. */
  readonly family: '1' | '2';
  readonly forwarderStats?: () => Readonly<ForwarderStats> | undefined;
  /** The server's guards' counters; undefined until the DNS listeners are up (all read as 0). */
  readonly guardStats?: () => GuardCounters | undefined;
}

/** What the caps, the rate limit and --allow turned away since start. */
export interface GuardCounters {
  readonly tcp: Readonly<TcpGuardStats>;
  /** Absent when --rate-limit is off. */
  readonly rateLimit?: { readonly dropped: number; readonly slipped: number } | undefined;
  readonly refusedOutsideAllow: number;
}

export interface Metrics {
  readonly registry: Registry;
  observe(query: Query, response: Buffer, seconds: number): void;
  reloaded(ok: boolean): void;
  clusterChanged(cluster: LoadedCluster): void;
}

/** CoreDNS: prometheus.ExponentialBuckets(0.00025, 2, 16). */
const BUCKETS = Array.from({ length: 16 }, (_, i) => 0.00025 * 2 ** i);

/** Plain numbers per (zone, proto, qtype): all the hot path touches. */
interface Slot {
  readonly zone: string;
  readonly proto: string;
  readonly type: string;
  requests: number;
  /** Non-cumulative counts per bucket; the last one is +Inf. */
  readonly buckets: number[];
  sum: number;
}

export function createMetrics(options: MetricsOptions): Metrics {
  const registry = new Registry();
  const slots = new Map<number, Slot>();
  const zoneOf = zoneClassifier(options.clusterDomain);
  /** Response codes per zone: [0] outside the cluster domain, [1] inside. */
  const rcodes = [new Array<number>(16).fill(0), new Array<number>(16).fill(0)] as const;
  registerQueryMetrics(registry, options, slots, rcodes, zoneOf.labels);
  registerForwardMetrics(registry, options);
  registerGuardMetrics(registry, options);
  const reloads = new Counter({
    name: 'clusterdns_reloads_total',
    help: 'Manifest reloads (watch or SIGHUP), by result.',
    labelNames: ['result'],
    registers: [registry],
  });
  const objects = new Gauge({ name: 'clusterdns_objects', help: 'Objects in the current cluster state, by kind.', labelNames: ['kind'], registers: [registry] });
  // Counted when scraped, once per loaded index: at 150,000 pods counting
  // takes about a second, which a reload should not spend before answering.
  let counted: LoadedCluster | undefined;
  new Gauge({
    name: 'clusterdns_records',
    help: 'Records the server answers with (as `clusterdns records` lists them).',
    registers: [registry],
    collect() {
      this.set(counted?.index.recordCount ?? 0);
    },
  });

  return {
    registry,
    observe(query, response, seconds) {
      const inCluster = zoneOf.inCluster(query.name) ? 1 : 0;
      const key = (query.qtype * 2 + (query.transport === 'tcp' ? 1 : 0)) * 2 + inCluster;
      let slot = slots.get(key);
      if (slot === undefined) {
        const type = KNOWN_TYPES.has(query.qtype) ? rrTypeName(query.qtype) : 'other';
        const zone = zoneOf.labels[inCluster];
        slot = { zone, proto: query.transport, type, requests: 0, buckets: new Array<number>(BUCKETS.length + 1).fill(0), sum: 0 };
        slots.set(key, slot);
      }
      slot.requests++;
      slot.sum += seconds;
      let bucket = 0;
      while (bucket < BUCKETS.length && seconds > BUCKETS[bucket]!) bucket++;
      slot.buckets[bucket]!++;
      rcodes[inCluster][response.length >= 4 ? response[3]! & 0x0f : 2]!++;
    },
    reloaded(ok) {
      reloads.inc({ result: ok ? 'success' : 'failure' });
    },
    clusterChanged(cluster) {
      objects.reset();
      objects.set({ kind: 'Namespace' }, cluster.state.namespaces.size);
      objects.set({ kind: 'Service' }, cluster.state.services.length);
      objects.set({ kind: 'Pod' }, cluster.state.pods.length);
      counted = cluster;
    },
  };
}

/**
 * Requests, responses and durations are counted in plain numbers and turned
 * into Prometheus samples only when scraped: prom-client's labelled inc and
 * observe hash their labels on every call, too slow for every query.
 */
function registerQueryMetrics(
  registry: Registry,
  options: MetricsOptions,
  slots: ReadonlyMap<number, Slot>,
  rcodes: readonly (readonly number[])[],
  zones: readonly string[],
): void {
  const base = (zone: string) => ({ server: options.server(), zone });
  new Counter({
    name: 'coredns_dns_requests_total',
    help: 'Counter of DNS requests made per zone, protocol and family.',
    labelNames: ['server', 'zone', 'proto', 'family', 'type'],
    registers: [registry],
    collect() {
      this.reset();
      for (const slot of slots.values()) this.inc({ ...base(slot.zone), proto: slot.proto, family: options.family, type: slot.type }, slot.requests);
    },
  });
  new Counter({
    name: 'coredns_dns_responses_total',
    help: 'Counter of response status codes.',
    labelNames: ['server', 'zone', 'rcode'],
    registers: [registry],
    collect() {
      this.reset();
      rcodes.forEach((counts, inCluster) =>
        counts.forEach((count, rcode) => {
          if (count > 0) this.inc({ ...base(zones[inCluster]!), rcode: RCODE_NAMES[rcode] ?? String(rcode) }, count);
        }),
      );
    },
  });
  registry.registerMetric(durationHistogram(base, slots) as unknown as Metric);
}

/**
 * Which zone label a query name gets: the cluster domain (with its trailing
 * dot, as CoreDNS writes zones) for the domain and names under it, compared
 * without regard to ASCII case; the root for everything else.
 */
export function zoneClassifier(clusterDomain: string | undefined): { labels: readonly [string, string]; inCluster(name: string): boolean } {
  const domain = (clusterDomain ?? '').toLowerCase().replace(/^\.+|\.+$/g, '');
  if (domain === '') return { labels: [ROOT_ZONE, ROOT_ZONE], inCluster: () => false };
  const suffix = `.${domain}`;
  return {
    labels: [ROOT_ZONE, `${domain}.`],
    inCluster(name) {
      const bare = name.endsWith('.') ? name.slice(0, -1) : name;
      if (bare.length < domain.length) return false;
      const tail = bare.slice(bare.length - domain.length).toLowerCase();
      return tail === domain && (bare.length === domain.length || bare[bare.length - suffix.length] === '.');
    },
  };
}

/** A collector in prom-client's shape (name, help, type, get) over our own bucket counts. */
function durationHistogram(base: (zone: string) => Record<string, string>, slots: ReadonlyMap<number, Slot>) {
  const name = 'coredns_dns_request_duration_seconds';
  return {
    name,
    help: 'Histogram of the time (in seconds) each request took.',
    type: 'histogram',
    aggregator: 'sum',
    reset() {},
    get() {
      const byType = new Map<string, { zone: string; type: string; buckets: number[]; sum: number; count: number }>();
      for (const slot of slots.values()) {
        const key = `${slot.zone} ${slot.type}`;
        const total = byType.get(key) ?? { zone: slot.zone, type: slot.type, buckets: new Array<number>(BUCKETS.length + 1).fill(0), sum: 0, count: 0 };
        slot.buckets.forEach((count, i) => (total.buckets[i]! += count));
        total.sum += slot.sum;
        total.count += slot.requests;
        byType.set(key, total);
      }
      const values: { labels: Record<string, string | number>; value: number; metricName: string }[] = [];
      for (const total of byType.values()) {
        const labels = { ...base(total.zone), type: total.type };
        let cumulative = 0;
        BUCKETS.forEach((le, i) => {
          cumulative += total.buckets[i]!;
          values.push({ labels: { le, ...labels }, value: cumulative, metricName: `${name}_bucket` });
        });
        values.push({ labels: { le: '+Inf', ...labels }, value: total.count, metricName: `${name}_bucket` });
        values.push({ labels, value: total.sum, metricName: `${name}_sum` });
        values.push({ labels, value: total.count, metricName: `${name}_count` });
      }
      return { name, help: this.help, type: 'histogram', aggregator: 'sum', values };
    },
  };
}

/** Counters owned by the forwarder, copied in at scrape time. */
function registerForwardMetrics(registry: Registry, options: MetricsOptions): void {
  const stats = options.forwarderStats ?? (() => undefined);
  new Counter({
    name: 'coredns_forward_requests_total',
    help: 'Counter of requests made per upstream.',
    labelNames: ['to'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [to, counters] of Object.entries(stats()?.upstreams ?? {})) this.inc({ to }, counters.requests);
    },
  });
  new Counter({
    name: 'coredns_cache_hits_total',
    help: 'The count of cache hits.',
    labelNames: ['server'],
    registers: [registry],
    collect() {
      this.reset();
      this.inc({ server: options.server() }, stats()?.cacheHits ?? 0);
    },
  });
  new Counter({
    name: 'coredns_cache_misses_total',
    help: 'The count of cache misses.',
    labelNames: ['server'],
    registers: [registry],
    collect() {
      this.reset();
      this.inc({ server: options.server() }, stats()?.cacheMisses ?? 0);
    },
  });
}

/** Counters owned by the server's guards and the --allow check, copied in at scrape time. */
function registerGuardMetrics(registry: Registry, options: MetricsOptions): void {
  const stats = options.guardStats ?? (() => undefined);
  /** One collected counter whose samples are `label value -> count`; every label value present, 0 before the server is up. */
  const counter = (name: string, help: string, label: string, read: (counters: GuardCounters) => Record<string, number>, zero: Record<string, number>): void => {
    new Counter({
      name,
      help,
      labelNames: [label],
      registers: [registry],
      collect() {
        this.reset();
        const current = stats();
        for (const [value, count] of Object.entries(current ? read(current) : zero)) this.inc({ [label]: value }, count);
      },
    });
  };
  counter(
    'clusterdns_tcp_connections_refused_total',
    'TCP connections closed on arrival by a cap: per_client (--tcp-max-per-client), full (--tcp-max-connections with none idle).',
    'reason',
    ({ tcp }) => ({ per_client: tcp.refusedPerClient, full: tcp.refusedFull }),
    { per_client: 0, full: 0 },
  );
  counter(
    'clusterdns_tcp_connections_closed_total',
    'Open TCP connections closed by a cap: evicted (longest-idle, to admit a new one at --tcp-max-connections), evicted_per_client (that client\'s longest-idle, to admit its new one at --tcp-max-per-client), idle (--tcp-idle-timeout), oversize (a message announced above the largest allowed).',
    'reason',
    ({ tcp }) => ({ evicted: tcp.evictedIdle, evicted_per_client: tcp.evictedPerClient, idle: tcp.closedIdle, oversize: tcp.closedOversize }),
    { evicted: 0, evicted_per_client: 0, idle: 0, oversize: 0 },
  );
  new Counter({
    name: 'clusterdns_tcp_queries_queued_total',
    help: 'Pipelined TCP queries that waited because their connection already had --tcp-max-inflight queries being answered.',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(stats()?.tcp.queued ?? 0);
    },
  });
  counter(
    'clusterdns_rate_limited_responses_total',
    'UDP responses withheld by --rate-limit: dropped, or slipped (sent empty and truncated, so a real client retries over TCP).',
    'action',
    ({ rateLimit }) => ({ dropped: rateLimit?.dropped ?? 0, slipped: rateLimit?.slipped ?? 0 }),
    { dropped: 0, slipped: 0 },
  );
  new Counter({
    name: 'clusterdns_forward_refused_total',
    help: 'Queries for names outside the cluster answered REFUSED because the client is not in --allow.',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(stats()?.refusedOutsideAllow ?? 0);
    },
  });
}
