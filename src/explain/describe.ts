// Small phrases every explanation reuses: full names, pod states, lists.

import { type Endpoint, ipCount, type Pod, type Service } from '../cluster/index.js';
import type { Context, Finding } from './types.js';

/** `web.shop.svc.cluster.local` for a service (or any `<name>.<ns>`). */
export function serviceFqdn(ctx: Context, service: { name: string; namespace: string }): string {
  return `${service.name}.${service.namespace}.svc.${ctx.zone}`;
}

/** `shop/web`. */
export function objectId(object: { name: string; namespace: string }): string {
  return `${object.namespace}/${object.name}`;
}

/** ` (pod shop/web-0)` when the endpoint came from a pod, else nothing. */
export function podNote(endpoint: Endpoint): string {
  return endpoint.pod ? ` (pod ${objectId(endpoint.pod)})` : '';
}

/** Services named `name` in any namespace. */
export function servicesNamed(ctx: Context, name: string): Service[] {
  return ctx.state.services.filter((service) => service.name === name);
}

export function findService(ctx: Context, namespace: string, name: string): Service | undefined {
  return ctx.state.services.find((service) => service.namespace === namespace && service.name === name);
}

export function findPod(ctx: Context, namespace: string, name: string): Pod | undefined {
  return ctx.state.pods.find((pod) => pod.namespace === namespace && pod.name === name);
}

/** Why a pod is not a ready endpoint, or undefined when it could be one. */
export function podProblem(pod: Pod): string | undefined {
  if (ipCount(pod.ips) === 0) return 'has no IP (status without podIP)';
  if (pod.terminating) return 'is terminating (deletionTimestamp set)';
  if (!pod.ready) return 'is not ready (Ready condition false, or phase not Running)';
  return undefined;
}

/** `a, b, c` with at most `limit` items, then `and N more`. */
export function listOf(items: readonly string[], limit = 8): string {
  if (items.length <= limit) return items.join(', ');
  return `${items.slice(0, limit).join(', ')} and ${items.length - limit} more`;
}

export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** The finding for a namespace nothing declares or lives in (shared by pods, services and zone). */
export function noNamespace(namespace: string): Finding {
  return {
    reason: 'no-namespace',
    message: `namespace "${namespace}" does not exist: no Namespace object declares it and no object lives in it`,
  };
}
