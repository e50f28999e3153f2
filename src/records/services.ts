// Records of ClusterIP and headless Services (spec §3.1–§3.3, §3.6): the
// service name, its `_port._proto` SRV names and its endpoint names.

import { RRType } from '../dns/types.js';
import { endpointId } from '../dns/names.js';
import type { Endpoint, NamedPort, Service } from '../cluster/index.js';
import { addAddresses, addSrv, addressRecord, type NameTable, type SrvTarget } from './table.js';
import type { AddressOverrides, AddressPlan } from './address-override.js';

export interface BuildContext {
  readonly zone: string;
  readonly ttl: number;
  /** `clusterdns.io/address` annotations; absent = every name answers its cluster addresses. */
  readonly overrides?: AddressOverrides;
}

/** `web.prod.svc.<zone>`. */
export function serviceName(service: { name: string; namespace: string }, zone: string): string {
  return `${service.name}.${service.namespace}.svc.${zone}`;
}

/** The label an endpoint answers under: its hostname, else the dashed id of its address (§3.2). */
export function endpointName(endpoint: Endpoint): string {
  return endpoint.hostname ?? endpointId(endpoint.address);
}

/** `_http._tcp.<service name>`, or undefined for an unnamed port (it gets no SRV name). */
function srvName(port: NamedPort, owner: string): string | undefined {
  if (!port.name) return undefined;
  return `_${port.name.toLowerCase()}._${port.protocol.toLowerCase()}.${owner}`;
}

/** Ready endpoints grouped by the name they answer under, in first-seen order. */
export function byEndpointName(endpoints: readonly Endpoint[]): Map<string, Endpoint[]> {
  const groups = new Map<string, Endpoint[]>();
  for (const endpoint of endpoints) {
    const key = endpointName(endpoint).toLowerCase();
    const group = groups.get(key);
    if (group) group.push(endpoint);
    else groups.set(key, [endpoint]);
  }
  return groups;
}

export function readyEndpoints(service: Service): Endpoint[] {
  return service.endpoints.filter((endpoint) => endpoint.ready);
}

/** Add every record of a ClusterIP or headless service. ExternalName services are externalname.ts's. */
export function addService(table: NameTable, service: Service, context: BuildContext): void {
  if (service.kind === 'ExternalName') return;
  const owner = serviceName(service, context.zone);
  const ready = readyEndpoints(service);
  const groups = byEndpointName(ready);
  const targets = endpointTargets(groups, owner, context);
  const plan = servicePlan(service, ready, context);
  if (service.kind === 'ClusterIP') addClusterIP(table, service, plan, owner, context);
  else addHeadless(table, ready, plan, [...targets.values()].flat(), owner, context);
  addEndpointNames(table, groups, targets, owner, context);
}

/** One SRV candidate per (endpoint address × port), named after the endpoint. */
interface EndpointTarget extends SrvTarget {
  readonly port: number;
  readonly portName?: string;
  readonly protocol: string;
  readonly endpoint: Endpoint;
}

/** SRV candidates keyed by the endpoint name they target. */
function endpointTargets(
  groups: Map<string, Endpoint[]>,
  owner: string,
  context: BuildContext,
): Map<string, EndpointTarget[]> {
  const byName = new Map<string, EndpointTarget[]>();
  for (const [label, endpoints] of groups) {
    const target = `${label}.${owner}`;
    const targets: EndpointTarget[] = [];
    byName.set(target, targets);
    const addresses = endpointPlan(endpoints, context).ips.map((ip) => addressRecord(target, context.ttl, ip));
    for (const endpoint of endpoints) {
      for (const port of endpoint.ports) {
        targets.push({
          port: port.port,
          target,
          addresses,
          endpoint,
          protocol: port.protocol.toLowerCase(),
          ...(port.name ? { portName: port.name.toLowerCase() } : {}),
        });
      }
    }
  }
  return byName;
}

function addClusterIP(table: NameTable, service: Service, plan: AddressPlan, owner: string, context: BuildContext): void {
  const { zone, ttl } = context;
  addPlanned(table, owner, context, plan);
  const addresses = plan.ips.map((ip) => addressRecord(owner, ttl, ip));
  // CoreDNS makes one SRV candidate per (port × cluster IP): a dual-stack port is two, counted in the weight.
  const perIP = Math.max(1, service.clusterIPs.length);
  const srv = (port: NamedPort): SrvTarget[] => Array.from({ length: perIP }, () => ({ port: port.port, target: owner, addresses }));
  addSrv(table, owner, zone, ttl, service.ports.flatMap(srv));
  for (const port of service.ports) {
    const name = srvName(port, owner);
    if (!name) continue;
    addSrv(table, name, zone, ttl, srv(port));
    // CoreDNS answers A/AAAA at a `_port._proto` name with the cluster IPs.
    addHiddenAddresses(table, name, context, plan);
  }
}

function addHeadless(
  table: NameTable,
  ready: readonly Endpoint[],
  plan: AddressPlan,
  targets: readonly EndpointTarget[],
  owner: string,
  context: BuildContext,
): void {
  // No ready endpoint: the name does not exist at all (§3.2, NXDOMAIN).
  if (ready.length === 0) return;
  const { zone, ttl } = context;
  addPlanned(table, owner, context, plan);
  addSrv(table, owner, zone, ttl, targets);
  const named = new Map<string, EndpointTarget[]>();
  for (const target of targets) {
    if (!target.portName) continue;
    const name = `_${target.portName}._${target.protocol}.${owner}`;
    const group = named.get(name);
    if (group) group.push(target);
    else named.set(name, [target]);
  }
  for (const [name, group] of named) {
    addSrv(table, name, zone, ttl, group);
    addHiddenAddresses(
      table,
      name,
      context,
      endpointPlan(
        group.map((target) => target.endpoint),
        context,
      ),
    );
  }
}

/** `<ep>.<service>` names: the ready endpoint(s) with that name, their addresses and ports (§3.2, §3.3). */
function addEndpointNames(
  table: NameTable,
  groups: Map<string, Endpoint[]>,
  targets: Map<string, EndpointTarget[]>,
  owner: string,
  context: BuildContext,
): void {
  const { zone, ttl } = context;
  for (const [label, endpoints] of groups) {
    const name = `${label}.${owner}`;
    addPlanned(table, name, context, endpointPlan(endpoints, context));
    addSrv(
      table,
      name,
      zone,
      ttl,
      targets.get(name) ?? [],
    );
  }
}

function addHiddenAddresses(table: NameTable, name: string, context: BuildContext, plan: AddressPlan): void {
  addPlanned(table, name, context, plan);
  const entry = table.get(name);
  for (const qtype of [RRType.A, RRType.AAAA]) {
    const set = entry?.sets.get(qtype);
    if (set) set.listed = false;
  }
}

/** The service name's addresses: its cluster IPs (headless: its ready endpoints'), or its annotation's. */
export function servicePlan(service: Service, ready: readonly Endpoint[], context: BuildContext): AddressPlan {
  if (context.overrides) return context.overrides.service(service, ready);
  return service.kind === 'ClusterIP' ? { ips: service.clusterIPs, hostnames: [] } : endpointPlan(ready, context);
}

/** Endpoint addresses after their pods' `clusterdns.io/address` annotations. */
export function endpointPlan(endpoints: readonly Endpoint[], context: BuildContext): AddressPlan {
  return context.overrides?.endpoints(endpoints) ?? { ips: endpoints.map((endpoint) => endpoint.address), hostnames: [] };
}

/** The literal addresses go in the table now; hostnames are noted for the responder to resolve per query. */
function addPlanned(table: NameTable, name: string, context: BuildContext, plan: AddressPlan): void {
  addAddresses(table, name, context.zone, context.ttl, plan.ips);
  context.overrides?.note(name, plan);
}
