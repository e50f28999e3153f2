// `<ep>.<svc>.<ns>.svc` names (spec §3.2, §3.3, §3.6): an endpoint's
// hostname or dashed IP, and the hostname/subdomain rule for pods.

import { matchesServiceSelector, type Pod, type PodRef, samePod, type Service } from '../cluster/index.js';
import { parsePodLabel } from '../dns/names.js';
import { endpointName } from '../records/services.js';
import { findService, listOf, objectId, podNote, podProblem, serviceFqdn } from './describe.js';
import { formatLabels } from './labels.js';
import { endpointHealth, externalName, missingService } from './services.js';
import type { Context, Finding } from './types.js';

export function explainEndpoint(ctx: Context, namespace: string, serviceName: string, label: string): Finding[] {
  const service = findService(ctx, namespace, serviceName);
  if (!service) return hostnameWithoutService(ctx, namespace, serviceName, label) ?? missingService(ctx, namespace, serviceName) ?? [];
  if (service.kind === 'ExternalName') return [externalName(ctx, service)];
  const named = service.endpoints.filter((endpoint) => endpointName(endpoint).toLowerCase() === label);
  const ready = named.filter((endpoint) => endpoint.ready);
  if (ready.length > 0) {
    return [
      {
        reason: 'endpoint',
        message: `"${label}" is a ready endpoint of service ${objectId(service)}`,
        details: ready.map((endpoint) => `${endpoint.address}${podNote(endpoint)}`),
      },
    ];
  }
  if (named.length > 0) {
    const pods = named.flatMap((endpoint) => (endpoint.pod ? [endpoint.pod] : []));
    return [
      {
        reason: 'pods-not-ready',
        message: `endpoint "${label}" of service ${objectId(service)} is not ready, so its name does not exist`,
        details: [
          ...named.map((endpoint) => `${endpoint.address}${podNote(endpoint)}: ${podText(ctx, endpoint.pod)}`),
          ...(pods.length > 0 ? ['publishNotReadyAddresses: true on the service publishes not-ready pods too'] : []),
        ],
      },
    ];
  }
  return hostnameMismatch(ctx, service, label) ?? noEndpoint(ctx, service, label);
}

/** Why the pod is not ready, from the state's Pod of that name (a readiness override replaces it there, not in the endpoint). */
function podText(ctx: Context, ref: PodRef | undefined): string {
  const pod = ref === undefined ? undefined : ctx.state.pods.find((candidate) => samePod(candidate, ref));
  return (pod && podProblem(pod)) ?? 'ready false';
}

function podsWithHostname(ctx: Context, namespace: string, hostname: string): Pod[] {
  return ctx.state.pods.filter((pod) => pod.namespace === namespace && pod.hostname?.toLowerCase() === hostname);
}

/** A pod with hostname `label` and subdomain `serviceName`, but no such service. */
function hostnameWithoutService(ctx: Context, namespace: string, serviceName: string, label: string): Finding[] | undefined {
  const pods = podsWithHostname(ctx, namespace, label).filter((pod) => pod.subdomain?.toLowerCase() === serviceName);
  const pod = pods[0];
  if (!pod) return undefined;
  return [
    {
      reason: 'hostname-no-service',
      message:
        `pod ${objectId(pod)} has hostname "${pod.hostname}" and subdomain "${pod.subdomain}", but there is no service ` +
        `"${serviceName}" in namespace ${namespace}: hostname.subdomain names exist only through a Service named like the subdomain that selects the pod (docs/behaviour.md#hostname-and-subdomain)`,
      details: [
        `create a headless Service "${serviceName}" in ${namespace} (clusterIP: None) whose selector matches the pod's labels: ${formatLabels(pod.labels)}`,
      ],
    },
  ];
}

/** Pods with hostname `label` that are no endpoint of `service`: wrong subdomain, or not selected. */
function hostnameMismatch(ctx: Context, service: Service, label: string): Finding[] | undefined {
  const pods = podsWithHostname(ctx, service.namespace, label);
  if (pods.length === 0) return undefined;
  return pods.map((pod): Finding => {
    if (pod.subdomain?.toLowerCase() !== service.name) {
      const subdomain = pod.subdomain
        ? `subdomain "${pod.subdomain}", so it answers as ${label}.${serviceFqdn(ctx, { name: pod.subdomain, namespace: pod.namespace })} if a service of that name selects it`
        : 'no subdomain';
      return {
        reason: 'hostname-wrong-subdomain',
        message: `pod ${objectId(pod)} has hostname "${pod.hostname}" but ${subdomain}; set spec.subdomain: ${service.name} to be ${label}.${serviceFqdn(ctx, service)}`,
      };
    }
    if (!matchesServiceSelector(service.selector, pod.labels)) {
      return {
        reason: 'hostname-not-selected',
        message: `pod ${objectId(pod)} has hostname "${pod.hostname}" and subdomain "${service.name}", but service ${objectId(service)} does not select it`,
        details: [`selector: ${formatLabels(service.selector)}`, `pod labels: ${formatLabels(pod.labels)}`],
      };
    }
    return {
      reason: 'pods-not-ready',
      message: `pod ${objectId(pod)} has hostname "${pod.hostname}" and is selected by ${objectId(service)}, but ${podProblem(pod) ?? 'is no endpoint (finished, or no IP of the service\'s families)'}`,
    };
  });
}

function noEndpoint(ctx: Context, service: Service, label: string): Finding[] {
  const ip = parsePodLabel(label);
  const byAddress = ip === undefined ? undefined : service.endpoints.find((endpoint) => endpoint.address === ip && endpoint.hostname);
  if (byAddress?.hostname) {
    return [
      {
        reason: 'no-endpoint',
        message: `the endpoint ${byAddress.address} of service ${objectId(service)} has hostname "${byAddress.hostname}", so it answers only as ${byAddress.hostname}.${serviceFqdn(ctx, service)} (docs/behaviour.md#headless-services)`,
      },
    ];
  }
  const names = [...new Set(service.endpoints.filter((endpoint) => endpoint.ready).map(endpointName))];
  const finding: Finding = {
    reason: 'no-endpoint',
    message: `service ${objectId(service)} has no endpoint named "${label}"`,
    details: [names.length > 0 ? `its endpoint names: ${listOf(names)}` : 'it has no ready endpoints'],
  };
  return [finding, ...endpointHealth(ctx, service)];
}
