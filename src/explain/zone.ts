// Names that are not services or pods: outside the zone, reverse names, the
// zone's own names (apex, svc/pod, namespaces, dns-version) and shapes the
// parser does not accept.

import { hasIP } from '../cluster/index.js';
import { parseReverseName } from '../dns/names.js';
import type { InvalidReason } from '../records/parse.js';
import { endpointName } from '../records/services.js';
import { listOf, noNamespace, objectId, serviceFqdn, servicesNamed } from './describe.js';
import type { Context, Finding } from './types.js';

/** Does `name` answer positively? Used to suggest what the user may have meant. */
function answers(ctx: Context, name: string): boolean {
  const lookup = ctx.index.lookup(name, ctx.qtype);
  return lookup.kind === 'external' || (lookup.kind === 'answer' && lookup.answer.answerCount > 0);
}

export function explainOutside(ctx: Context): Finding[] {
  const findings: Finding[] = [
    {
      reason: 'outside-zone',
      message: `${ctx.name}. is outside the cluster domain ${ctx.zone}: a running server forwards it to its upstream; offline there is no upstream (REFUSED)`,
    },
  ];
  const completed = `${ctx.name}.${ctx.zone}`;
  if (answers(ctx, completed)) {
    findings.push({
      reason: 'missing-zone',
      message: `did you mean ${completed}? Inside a pod the search list adds the cluster domain to short names (docs/behaviour.md#search-list)`,
    });
  }
  return findings;
}

export function explainReverse(ctx: Context): Finding[] {
  const ip = parseReverseName(ctx.name);
  if (ip === undefined) {
    return [{ reason: 'reverse', message: `${ctx.name}. is not the reverse name of one whole address: NXDOMAIN` }];
  }
  const owner = ctx.state.services.find((service) => service.clusterIPs.includes(ip));
  if (owner) {
    return [{ reason: 'reverse', message: `${ip} is the cluster IP of service ${objectId(owner)}: PTR ${serviceFqdn(ctx, owner)}.` }];
  }
  const findings: Finding[] = [];
  for (const service of ctx.state.services) {
    for (const endpoint of service.endpoints.filter((candidate) => candidate.address === ip)) {
      const name = `${endpointName(endpoint)}.${serviceFqdn(ctx, service)}`;
      findings.push({
        reason: 'reverse',
        message: endpoint.ready
          ? `${ip} is a ready endpoint of service ${objectId(service)}: PTR ${name}.`
          : `${ip} is an endpoint of service ${objectId(service)} that is not ready: no PTR`,
      });
    }
  }
  if (findings.length > 0) return findings;
  const pod = ctx.state.pods.find((candidate) => hasIP(candidate.ips, ip));
  if (pod) {
    return [{ reason: 'reverse', message: `${ip} is the IP of pod ${objectId(pod)}, which is no endpoint of any service: pod IPs alone get no PTR (docs/behaviour.md#pod-records)` }];
  }
  return [
    {
      reason: 'reverse',
      message: `no service or endpoint has the address ${ip}: NXDOMAIN offline; a running server with an upstream forwards unknown reverse names`,
    },
  ];
}

/** The apex, `svc`/`pod`, `dns-version` and `ns.dns`. */
export function zoneName(ctx: Context, what: 'apex' | 'type-label' | 'dns-version' | 'nameserver'): Finding[] {
  const messages = {
    apex: `${ctx.zone}. is the zone apex: SOA and NS (NS names kube-dns.kube-system.svc.${ctx.zone}., as in CoreDNS)`,
    'type-label': `${ctx.name}. is a type label: it exists but holds no records (NODATA)`,
    'dns-version': `dns-version.${ctx.zone}. holds the schema version as TXT; other types are NXDOMAIN, as in CoreDNS (docs/behaviour.md#dns-version)`,
    nameserver: `ns.dns.${ctx.zone}. is the nameserver the SOA names: A/AAAA give kube-system/kube-dns's cluster IP, else this server's address`,
  };
  return [{ reason: 'zone-name', message: messages[what] }];
}

/** `<ns>.svc` / `<ns>.pod`. */
export function explainNamespaceNode(ctx: Context, namespace: string): Finding[] {
  if (ctx.state.namespaces.has(namespace)) {
    return [
      {
        reason: 'zone-name',
        message: `namespace ${namespace} exists: its node holds no records (NODATA), which ends a pod's search list (docs/behaviour.md#nxdomain-and-nodata)`,
      },
    ];
  }
  const findings = [noNamespace(namespace)];
  const services = servicesNamed(ctx, namespace);
  if (services.length > 0) {
    findings.push({
      reason: 'service-elsewhere',
      message: `"${namespace}" is the name of a service in ${services.length === 1 ? 'namespace' : 'namespaces'} ${listOf(services.map((service) => service.namespace))}; a service name needs its namespace`,
      details: services.map((service) => `ask ${serviceFqdn(ctx, service)}`),
    });
  }
  return findings;
}

export function explainInvalid(ctx: Context, relative: string, reason: InvalidReason): Finding[] {
  if (reason === 'too-long') {
    return [{ reason: 'bad-form', message: `${ctx.name}. has more labels than any cluster name form (docs/behaviour.md#name-forms): NXDOMAIN` }];
  }
  const labels = relative.split('.');
  const last = labels[labels.length - 1];
  const finding: Finding = {
    reason: 'bad-form',
    message: `"${last}" right before ${ctx.zone} must be svc or pod (docs/behaviour.md#name-forms): NXDOMAIN`,
  };
  const suggestion = `${relative}.svc.${ctx.zone}`;
  if (answers(ctx, suggestion)) return [finding, { reason: 'missing-zone', message: `did you mean ${suggestion}?` }];
  return [finding];
}
