// Pod names (never DNS names, spec §3.5) and `<dashed-ip>.<ns>.pod` names.

import { hasIP, ipList, type Pod, samePod } from '../cluster/index.js';
import { endpointId, parsePodLabel } from '../dns/names.js';
import { endpointName } from '../records/services.js';
import { findPod, listOf, noNamespace, objectId, serviceFqdn } from './describe.js';
import type { Context, Finding } from './types.js';

/** The finding for a name that is really a pod's name, with the names that do reach the pod. */
export function podNameFinding(ctx: Context, pod: Pod): Finding {
  return {
    reason: 'pod-name',
    message: `"${pod.name}" is the name of pod ${objectId(pod)}, and pod names are never DNS names (docs/behaviour.md#pod-records)`,
    details: namesOfPod(ctx, pod),
  };
}

/** The DNS names that do lead to a pod: its dashed IP, and its endpoint names under services. */
function namesOfPod(ctx: Context, pod: Pod): string[] {
  const names: string[] = [];
  if (ctx.podMode !== 'disabled') {
    for (const ip of ipList(pod.ips)) names.push(`${endpointId(ip)}.${pod.namespace}.pod.${ctx.zone} (its IP with dashes)`);
  }
  for (const service of ctx.state.services) {
    const endpoint = service.endpoints.find((candidate) => samePod(candidate.pod, pod) && candidate.ready);
    if (endpoint) names.push(`${endpointName(endpoint)}.${serviceFqdn(ctx, service)} (endpoint of service ${objectId(service)})`);
  }
  if (names.length === 0) return ['no DNS name leads to this pod: it has no IP, or pod names are disabled and no service selects it'];
  return names.map((name, index) => (index === 0 ? `ask ${name}` : `or ${name}`));
}

/** `<label>.<ns>.pod.<zone>`. */
export function explainPodAddress(ctx: Context, namespace: string, label: string): Finding[] {
  if (ctx.podMode === 'disabled') {
    return [{ reason: 'pods-disabled', message: `pod names are turned off (--pods disabled): every <ip>.<ns>.pod name is NXDOMAIN` }];
  }
  if (!ctx.state.namespaces.has(namespace)) return [noNamespace(namespace)];
  const ip = parsePodLabel(label);
  if (ip === undefined) return notAnIp(ctx, namespace, label);
  const owners = ctx.state.pods.filter((pod) => hasIP(pod.ips, ip));
  const here = owners.filter((pod) => pod.namespace === namespace && !pod.terminating);
  if (ctx.podMode === 'verified' && here.length === 0) {
    const elsewhere = owners.map((pod) => `pod ${objectId(pod)} has ${ip}${pod.terminating ? ' but is terminating' : ''}`);
    return [
      {
        reason: 'pod-ip-unknown',
        message: `--pods verified answers only IPs of pods in namespace ${namespace}, and no pod there has ${ip}`,
        ...(elsewhere.length > 0 ? { details: elsewhere } : {}),
      },
    ];
  }
  const mode =
    ctx.podMode === 'verified'
      ? `pod ${objectId(here[0] as Pod)} has this IP (--pods verified)`
      : 'in --pods insecure mode (the default, as stock clusters run) any IP in an existing namespace answers';
  return [{ reason: 'pod-ip', message: `"${label}" is the IP ${ip} written with dashes; ${mode}` }];
}

function notAnIp(ctx: Context, namespace: string, label: string): Finding[] {
  const pod = findPod(ctx, namespace, label) ?? ctx.state.pods.find((candidate) => candidate.name === label);
  if (pod) return [podNameFinding(ctx, pod)];
  const examples = ctx.state.pods.filter((candidate) => candidate.namespace === namespace).flatMap((candidate) => ipList(candidate.ips));
  const sample = examples.length > 0 ? `, e.g. ${listOf(examples.slice(0, 2).map(endpointId))}` : '';
  return [
    {
      reason: 'not-an-ip',
      message: `"${label}" is not an IP address written with dashes (10-244-1-2, or fd00-10-244--7 for IPv6)${sample}`,
    },
  ];
}
