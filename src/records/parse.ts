// Read a query name into a typed shape (spec §2), once, like CoreDNS's
// plugin/kubernetes/parse.go. The input is the part of the name before the
// cluster zone, lower-case (`web.prod.svc`; '' for the apex). The parser only
// reads the shape of the name; whether the namespace or service exists is the
// record index's question.

export type TypeLabel = 'svc' | 'pod';

export type InvalidReason =
  /** The right-most label is neither `svc` nor `pod` (nor a special name). */
  | 'unknown-type-label'
  /** More labels than any form allows. */
  | 'too-long';

export type ParsedName =
  | { readonly kind: 'apex' }
  /** `svc` / `pod` alone: exists, holds nothing. */
  | { readonly kind: 'type-label'; readonly type: TypeLabel }
  /** `dns-version`: the schema TXT record (§3.8). */
  | { readonly kind: 'dns-version' }
  /** `ns.dns`: the name the apex NS points at (§1). */
  | { readonly kind: 'nameserver' }
  /** `<ns>.svc` / `<ns>.pod`. */
  | { readonly kind: 'namespace'; readonly type: TypeLabel; readonly namespace: string }
  /** `<svc>.<ns>.svc`. */
  | { readonly kind: 'service'; readonly namespace: string; readonly service: string }
  /** `<ep>.<svc>.<ns>.svc`. */
  | { readonly kind: 'endpoint'; readonly namespace: string; readonly service: string; readonly endpoint: string }
  /**
   * `_<port>._<proto>.<svc>.<ns>.svc`, underscores stripped. As in CoreDNS
   * the underscores are optional: any two labels in front of a service read
   * as port and protocol.
   */
  | {
      readonly kind: 'srv';
      readonly namespace: string;
      readonly service: string;
      readonly port: string;
      readonly protocol: string;
    }
  /**
   * `<dashed-ip>.<ns>.pod`; the label is not checked here. As in CoreDNS,
   * labels left of the dashed IP are ignored: `ignored` counts them
   * (`x.1-2-3-4.ns.pod`, `_http._tcp.1-2-3-4.ns.pod` read as `1-2-3-4.ns.pod`).
   */
  | { readonly kind: 'pod'; readonly namespace: string; readonly label: string; readonly ignored: number }
  | { readonly kind: 'invalid'; readonly reason: InvalidReason };

function stripUnderscore(label: string): string {
  return label.startsWith('_') ? label.slice(1) : label;
}

/** Parse the zone-relative, lower-case part of a query name. */
export function parseQueryName(relative: string): ParsedName {
  if (relative === '') return { kind: 'apex' };
  if (relative === 'dns-version') return { kind: 'dns-version' };
  if (relative === 'ns.dns') return { kind: 'nameserver' };
  const labels = relative.split('.');
  const type = labels[labels.length - 1];
  if (type !== 'svc' && type !== 'pod') return { kind: 'invalid', reason: 'unknown-type-label' };
  const [namespace, name, ...rest] = labels.slice(0, -1).reverse();
  if (namespace === undefined) return { kind: 'type-label', type };
  if (name === undefined) return { kind: 'namespace', type, namespace };
  if (type === 'pod') {
    return { kind: 'pod', namespace, label: name, ignored: rest.length };
  }
  const [first, second] = rest;
  if (first === undefined) return { kind: 'service', namespace, service: name };
  if (second === undefined) return { kind: 'endpoint', namespace, service: name, endpoint: first };
  if (rest.length > 2) return { kind: 'invalid', reason: 'too-long' };
  return {
    kind: 'srv',
    namespace,
    service: name,
    protocol: stripUnderscore(first),
    port: stripUnderscore(second),
  };
}
