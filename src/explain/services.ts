// Services (spec §3.1–§3.4, §4.1): is there one, what kind, and when it has
// no ready endpoints, why not (selector, readiness).

import type { IPFamily } from '../net/ip.js';
import { matchesServiceSelector, type Service } from '../cluster/index.js';
import { RRType } from '../dns/types.js';
import { isSubdomain, normalizeName } from '../dns/names.js';
import { canonicalIP, ipFamilyOf } from '../net/ip.js';
import { endpointName } from '../records/services.js';
import { findPod, findService, listOf, noNamespace, objectId, plural, podNote, podProblem, serviceFqdn, servicesNamed } from './describe.js';
import { describePods, formatLabels, nearestPods, podsIn, selectedPods } from './labels.js';
import { podNameFinding } from './pods.js';
import type { Context, Finding } from './types.js';

/**
 * Findings when `namespace/name` is not a Service (undefined when it is):
 * the name of a pod, a service that lives in another namespace, or nothing.
 */
export function missingService(ctx: Context, namespace: string, name: string): Finding[] | undefined {
  if (findService(ctx, namespace, name)) return undefined;
  const findings: Finding[] = [];
  if (!ctx.state.namespaces.has(namespace)) findings.push(noNamespace(namespace));
  const pod = findPod(ctx, namespace, name);
  if (pod) findings.push(podNameFinding(ctx, pod));
  const elsewhere = servicesNamed(ctx, name);
  if (elsewhere.length > 0) {
    const where = elsewhere.map((service) => service.namespace);
    findings.push({
      reason: 'service-elsewhere',
      message: `no service "${name}" in namespace "${namespace}", but there is one in ${where.length === 1 ? 'namespace' : 'namespaces'} ${listOf(where)}`,
      details: elsewhere.map((service) => `ask ${serviceFqdn(ctx, service)}`),
    });
  } else if (!pod && ctx.state.namespaces.has(namespace)) {
    const here = ctx.state.services.filter((service) => service.namespace === namespace).map((service) => service.name);
    findings.push({
      reason: 'no-service',
      message: `no service "${name}" in namespace "${namespace}" (nor in any other namespace)`,
      details: [here.length > 0 ? `services in ${namespace}: ${listOf(here)}` : `namespace ${namespace} has no services`],
    });
  }
  return findings;
}

/** `<svc>.<ns>.svc`. */
export function explainServiceName(ctx: Context, namespace: string, name: string): Finding[] {
  const missing = missingService(ctx, namespace, name);
  if (missing) return missing;
  const service = findService(ctx, namespace, name) as Service;
  switch (service.kind) {
    case 'ExternalName':
      return [externalName(ctx, service)];
    case 'ClusterIP':
      return clusterIP(ctx, service);
    case 'Headless':
      return headless(ctx, service);
  }
}

export function externalName(ctx: Context, service: Service): Finding {
  const id = objectId(service);
  const target = (service.externalName ?? '').replace(/\.$/, '');
  if (canonicalIP(target) !== undefined) {
    return {
      reason: 'external-name',
      message: `${id} is an ExternalName service whose externalName "${target}" is an IP address: it answers NXDOMAIN, as CoreDNS does`,
      details: ['for a fixed IP use a Service without selector plus an Endpoints or EndpointSlice object'],
    };
  }
  const outside = !isSubdomain(normalizeName(target), ctx.zone);
  const details = [
    outside
      ? `A/AAAA: the CNAME plus the target's records, which a running server asks its upstream for; when the upstream cannot resolve it (or offline), the CNAME alone, NOERROR, as CoreDNS answers`
      : `A/AAAA: the CNAME plus the target's records, resolved inside the cluster`,
    'it has no SRV or endpoint names (NXDOMAIN); HTTP Host headers and TLS still carry the service name',
  ];
  return { reason: 'external-name', message: `${id} is an ExternalName service: CNAME to ${target}.`, details };
}

function clusterIP(ctx: Context, service: Service): Finding[] {
  const family = familyAsked(ctx.qtype);
  const addresses = service.clusterIPs.filter((ip) => family === undefined || ipFamilyOf(ip) === family);
  if (family && addresses.length === 0) return [noFamily(service, family)];
  const override = addressOverride(service);
  // With an address override, that finding says what A/AAAA answer instead of the cluster IP.
  const headline = family && override.length > 0 ? [] : [clusterIPHeadline(ctx, service, addresses)];
  const health = service.endpoints.some((endpoint) => endpoint.ready) ? [] : endpointHealth(ctx, service);
  return [...headline, ...override, ...health];
}

function clusterIPHeadline(ctx: Context, service: Service, addresses: readonly string[]): Finding {
  const id = objectId(service);
  if (ctx.qtype === RRType.SRV) {
    return {
      reason: 'cluster-ip',
      message: `ClusterIP service ${id}: SRV at its name lists every port, named or not, pointing at the service name`,
      details: service.ports.map((port) => `${port.port}/${port.protocol}${port.name ? ` (${port.name})` : ' (unnamed)'}`),
    };
  }
  const message = familyAsked(ctx.qtype)
    ? `ClusterIP service ${id} answers its cluster IP ${listOf(addresses)}, whether or not it has ready endpoints`
    : `ClusterIP service ${id} exists: its name holds A/AAAA (cluster IP ${listOf(addresses)}) and SRV records`;
  return { reason: 'cluster-ip', message };
}

/** The clusterdns.io/address annotation replaces what the service name's A/AAAA answer. */
function addressOverride(service: Service): Finding[] {
  if (!service.address) return [];
  const value = service.address.kind === 'ip' ? service.address.ip : `the addresses of ${service.address.hostname}, asked upstream`;
  return [
    {
      reason: 'address-override',
      message: `service ${objectId(service)} has the clusterdns.io/address annotation: its A/AAAA answer ${value} instead of the cluster IP`,
    },
  ];
}

function headless(ctx: Context, service: Service): Finding[] {
  const id = objectId(service);
  const ready = service.endpoints.filter((endpoint) => endpoint.ready);
  if (ready.length === 0) {
    return [
      {
        reason: 'headless',
        message: `headless service ${id} has no ready endpoints, so its name does not exist (NXDOMAIN, docs/behaviour.md#headless-services)`,
      },
      ...endpointHealth(ctx, service),
    ];
  }
  const family = familyAsked(ctx.qtype);
  if (family && !ready.some((endpoint) => endpoint.family === family)) return [noFamily(service, family)];
  const what = ctx.qtype === RRType.SRV ? 'one SRV per port of each of its' : family ? 'the addresses of its' : 'A/AAAA and SRV records for its';
  return [
    {
      reason: 'headless',
      message: `headless service ${id} answers ${what} ${plural(ready.length, 'ready endpoint')}`,
      details: ready.map((endpoint) => `${endpoint.address} ${endpointName(endpoint)}${podNote(endpoint)}`),
    },
  ];
}

export function familyAsked(qtype: number): IPFamily | undefined {
  if (qtype === RRType.A) return 'IPv4';
  if (qtype === RRType.AAAA) return 'IPv6';
  return undefined;
}

function noFamily(service: Service, family: IPFamily): Finding {
  const has = service.kind === 'ClusterIP' ? `ipFamilies: ${service.ipFamilies.join(', ')}` : `its ready endpoints are not ${family}`;
  return {
    reason: 'no-family',
    message: `service ${objectId(service)} has no ${family} address (${has}): the name exists, so the answer is NODATA`,
  };
}

/**
 * Why a service has no ready endpoint: no selector and nothing given, a
 * selector that matches no pod (with the nearest pods' labels), or pods
 * that are not ready. Empty when it has ready endpoints.
 */
export function endpointHealth(ctx: Context, service: Service): Finding[] {
  if (service.endpoints.some((endpoint) => endpoint.ready)) return [];
  const selector = service.selector ?? {};
  if (Object.keys(selector).length === 0) return givenOnly(service);
  const selected = selectedPods(ctx.state, service.namespace, selector);
  if (selected.length === 0) return [selectorMatchesNothing(ctx, service)];
  return [
    {
      reason: 'pods-not-ready',
      message: `selector ${formatLabels(selector)} matches ${plural(selected.length, 'pod')}, none of them a ready endpoint`,
      details: [
        ...selected.map((pod) => `pod ${pod.name} ${podProblem(pod) ?? 'has no IP of the service\'s families, or has finished'}`),
        'publishNotReadyAddresses: true on the service publishes not-ready pods too',
      ],
    },
  ];
}

function givenOnly(service: Service): Finding[] {
  if (service.endpoints.length > 0) {
    return [
      {
        reason: 'pods-not-ready',
        message: `service ${objectId(service)} has no selector; its ${plural(service.endpoints.length, 'endpoint')} (from EndpointSlice/Endpoints objects) are all not ready`,
        details: service.endpoints.map((endpoint) => `${endpoint.address}: ready false`),
      },
    ];
  }
  return [
    {
      reason: 'no-selector',
      message: `service ${objectId(service)} has no selector, and no EndpointSlice or Endpoints object gives it endpoints`,
    },
  ];
}

function selectorMatchesNothing(ctx: Context, service: Service): Finding {
  const selector = service.selector ?? {};
  const candidates = podsIn(ctx.state, service.namespace);
  const nearest = nearestPods(candidates, selector);
  const details = [`selector: ${formatLabels(selector)}`];
  if (nearest.length > 0) details.push(`nearest pods in ${service.namespace}:`, ...describePods(nearest).map((line) => `  ${line}`));
  else details.push(`namespace ${service.namespace} has no pods`);
  const elsewhere = ctx.state.pods.filter(
    (pod) => pod.namespace !== service.namespace && matchesServiceSelector(selector, pod.labels),
  );
  if (elsewhere.length > 0) {
    details.push(`pods that match in other namespaces (a service selects only in its own): ${listOf(elsewhere.map(objectId))}`);
  }
  return {
    reason: 'selector-matches-nothing',
    message: `the selector of service ${objectId(service)} matches no pod in namespace ${service.namespace}`,
    details,
  };
}
