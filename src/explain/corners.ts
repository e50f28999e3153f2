// The CoreDNS corners (docs/behaviour.md#coredns-corners): where clusterdns
// answers as CoreDNS does rather than as a tidier reading of the spec would,
// `explain` says so, naming the quirk and the docs anchor that lists it.

import { RRType } from '../dns/types.js';
import { IPV4_REVERSE_ZONE, IPV6_REVERSE_ZONE, parsePodLabel, parseReverseName } from '../dns/names.js';
import type { ParsedName } from '../records/parse.js';
import type { Context, Finding } from './types.js';

const DOCS = 'docs/behaviour.md#coredns-corners';

function quirk(message: string): Finding {
  return { reason: 'coredns-quirk', message: `${message} — a CoreDNS quirk clusterdns copies (${DOCS})` };
}

/** Corners of a name inside the cluster zone; `parsed` is its shape. */
export function zoneCorners(ctx: Context, parsed: ParsedName): Finding[] {
  const { qtype } = ctx;
  if (qtype === RRType.SOA && parsed.kind !== 'apex') {
    return [quirk('SOA below the zone apex is NODATA whether the name exists or not, and never forwarded')];
  }
  if (qtype === RRType.TXT && (parsed.kind === 'apex' || parsed.kind === 'type-label' || parsed.kind === 'namespace')) {
    return [quirk('TXT at a name that holds no service records is NXDOMAIN, though the name exists for other types')];
  }
  if (parsed.kind === 'nameserver' && (qtype === RRType.TXT || qtype === RRType.PTR)) {
    return [quirk(`TXT and PTR at ns.dns.${ctx.zone} are NXDOMAIN`)];
  }
  if (parsed.kind === 'apex' && qtype === RRType.NS) return [nsNote(ctx, ctx.zone)];
  if (parsed.kind === 'dns-version' && qtype === RRType.TXT) {
    return [quirk('the kubernetes plugin gives this TXT a TTL of 28800, which `cache 30` caps: its TTL is --cache-max-ttl (30 by default; 28800 with --no-cache)')];
  }
  if (parsed.kind === 'srv' && qtype === RRType.SRV) return [srvWeight()];
  if (parsed.kind === 'service' && qtype === RRType.SRV) return [srvWeight()];
  if (parsed.kind === 'pod') return podCorners(ctx, parsed.label, parsed.ignored);
  return [];
}

/** Corners of a name under in-addr.arpa / ip6.arpa. */
export function reverseCorners(ctx: Context): Finding[] {
  const { qtype, name } = ctx;
  const apex = name === IPV4_REVERSE_ZONE || name === IPV6_REVERSE_ZONE;
  if (apex) return qtype === RRType.NS ? [nsNote(ctx, name)] : [];
  if (qtype === RRType.SOA) return [quirk('SOA below a reverse zone apex is NODATA whether the name is known or not, and never forwarded')];
  if (qtype !== RRType.PTR && parseReverseName(name) !== undefined && ctx.outcome.kind !== 'nxdomain') {
    return [
      quirk(
        `only PTR is answered at a reverse name; ${qtype === RRType.A ? 'A' : 'any other type'} falls through to the upstream ` +
          'like an unknown reverse name (NODATA when there is no upstream)',
      ),
    ];
  }
  return [];
}

function nsNote(ctx: Context, apex: string): Finding {
  const kubeDns = ctx.state.services.find((s) => s.namespace === 'kube-system' && s.name === 'kube-dns' && s.kind === 'ClusterIP');
  if (!kubeDns || kubeDns.clusterIPs.length === 0) {
    return { reason: 'zone-name', message: `NS names ns.dns.${ctx.zone}. with this server's address: there is no kube-system/kube-dns cluster IP` };
  }
  const origin = kubeDns.implicit ? 'added by clusterdns, as every kubeadm cluster has it' : 'declared in the manifests';
  const sic = apex === ctx.zone ? '' : ` (sic: CoreDNS builds the name with the zone asked, ${apex})`;
  return quirk(
    `NS names kube-dns.kube-system.svc.${apex}.${sic}, one per cluster IP of kube-system/kube-dns (${origin}), ` +
      'its addresses in the additional section',
  );
}

function srvWeight(): Finding {
  return quirk('SRV weight is floor(100/N) with N counted before duplicate targets collapse (a dual-stack port is one SRV of weight 50)');
}

function podCorners(ctx: Context, label: string, ignored: number): Finding[] {
  const findings: Finding[] = [];
  if (ignored > 0) findings.push(quirk(`the ${ignored === 1 ? 'label' : `${ignored} labels`} left of the dashed IP ${label} ${ignored === 1 ? 'is' : 'are'} ignored`));
  const ip = parsePodLabel(label);
  if (ip !== undefined && !ip.includes(':') && label.includes('--')) {
    findings.push(quirk(`${label} is an IPv4-mapped IPv6 address, read as IPv4 ${ip}: A answers, AAAA is NODATA`));
  }
  if (ctx.qtype === RRType.SRV && ip !== undefined && ctx.outcome.kind === 'answer') {
    findings.push(quirk('SRV at a pod name answers 0 100 0 <the name>, its address in the additional section'));
  }
  return findings;
}
