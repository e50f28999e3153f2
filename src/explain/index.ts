// `explain`: why a name answers what it does. The outcome comes from the
// record index (the same lookup the server makes); the reasons come from
// the cluster state, one small function per name shape.

import { RRType, RCode, rrTypeName } from '../dns/types.js';
import { IPV4_REVERSE_ZONE, IPV6_REVERSE_ZONE, isSubdomain, normalizeName, stripZone } from '../dns/names.js';
import type { Lookup } from '../records/types.js';
import { parseQueryName } from '../records/parse.js';
import { explainEndpoint } from './endpoints.js';
import { explainPodAddress } from './pods.js';
import { explainSrv } from './ports.js';
import { explainServiceName } from './services.js';
import { explainInvalid, explainNamespaceNode, explainOutside, explainReverse, zoneName } from './zone.js';
import { reverseCorners, zoneCorners } from './corners.js';
import type { Context, ExplainRequest, Explanation, Finding, Outcome } from './types.js';

export type { ExplainRequest, Explanation, Finding, Outcome, Reason } from './types.js';
export { formatExplanation } from './format.js';

export function explain(request: ExplainRequest): Explanation {
  const name = normalizeName(request.name);
  const outcome = outcomeOf(request.index.lookup(name, request.qtype));
  const ctx: Context = {
    state: request.state,
    index: request.index,
    podMode: request.podMode,
    zone: request.index.zone,
    name,
    qtype: request.qtype,
    outcome,
  };
  const findings = [...findingsFor(ctx), ...cornersOf(ctx)];
  return { name, qtype: request.qtype, outcome, findings: [...findings, ...typeNote(ctx, findings)] };
}

export function outcomeOf(lookup: Lookup): Outcome {
  switch (lookup.kind) {
    case 'answer':
      if (lookup.answer.rcode === RCode.NXDOMAIN) return { kind: 'nxdomain' };
      return lookup.answer.answerCount > 0 ? { kind: 'answer', records: lookup.answer.answerCount } : { kind: 'nodata' };
    case 'external':
      // A clusterdns.io/address hostname is resolved upstream, owned by the name itself (no CNAME).
      if (lookup.hostnames) return { kind: 'resolved', targets: lookup.hostnames.targets };
      return { kind: 'external', target: lookup.target };
    case 'reverse-miss':
      return lookup.local.rcode === RCode.NXDOMAIN ? { kind: 'nxdomain' } : { kind: 'nodata' };
    case 'refused':
      return { kind: 'refused' };
    case 'not-ours':
      return { kind: 'forwarded' };
  }
}

function findingsFor(ctx: Context): Finding[] {
  const relative = stripZone(ctx.name, ctx.zone);
  if (relative === undefined) {
    const reverse = [IPV4_REVERSE_ZONE, IPV6_REVERSE_ZONE].some((zone) => isSubdomain(ctx.name, zone));
    return reverse ? explainReverse(ctx) : explainOutside(ctx);
  }
  const parsed = parseQueryName(relative);
  switch (parsed.kind) {
    case 'apex':
    case 'type-label':
    case 'dns-version':
    case 'nameserver':
      return zoneName(ctx, parsed.kind);
    case 'namespace':
      return explainNamespaceNode(ctx, parsed.namespace);
    case 'service':
      return explainServiceName(ctx, parsed.namespace, parsed.service);
    case 'endpoint':
      return explainEndpoint(ctx, parsed.namespace, parsed.service, parsed.endpoint);
    case 'srv':
      return explainSrv(ctx, parsed.namespace, parsed.service, parsed.port, parsed.protocol);
    case 'pod':
      return explainPodAddress(ctx, parsed.namespace, parsed.label);
    case 'invalid':
      return explainInvalid(ctx, relative, parsed.reason);
  }
}

/** The CoreDNS quirks behind this answer, if any. */
function cornersOf(ctx: Context): Finding[] {
  const relative = stripZone(ctx.name, ctx.zone);
  if (relative !== undefined) return zoneCorners(ctx, parseQueryName(relative));
  const reverse = [IPV4_REVERSE_ZONE, IPV6_REVERSE_ZONE].some((zone) => isSubdomain(ctx.name, zone));
  return reverse ? reverseCorners(ctx) : [];
}

/** A name that exists without records of the asked type: say so, unless a finding already did. */
function typeNote(ctx: Context, findings: readonly Finding[]): Finding[] {
  const covered = findings.some((finding) => finding.reason === 'no-family' || finding.reason === 'zone-name' || finding.reason === 'coredns-quirk');
  if (ctx.outcome.kind !== 'nodata' || covered) return [];
  const type = rrTypeName(ctx.qtype);
  const usual = ctx.qtype === RRType.A || ctx.qtype === RRType.AAAA || ctx.qtype === RRType.SRV ? '' : ' (cluster names hold A, AAAA, SRV, CNAME, PTR)';
  return [{ reason: 'other-type', message: `the name exists but has no ${type} records: NODATA${usual}` }];
}
