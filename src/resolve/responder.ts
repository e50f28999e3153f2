// The transport-free responder: Query in, response message out. A short
// dispatcher over the record index's Lookup (CoreDNS handler.go is the
// model); all record knowledge lives in src/records/.

import { RCode, RRClass, type ResourceRecord } from '../dns/types.js';
import { normalizeName } from '../dns/names.js';
import { prepareAnswer, writeEmptyResponse, writeResponse, type PreparedAnswer } from '../dns/wire.js';
import type { HostnameTargets, Lookup, RecordIndex } from '../records/types.js';
import type { Query } from './query.js';
import { NO_UPSTREAM, type Upstream } from './upstream.js';
import { resolveHostnameAddresses, type UnresolvedHook } from './address-hostnames.js';
import { createAutopath } from './autopath.js';

export interface ResponderOptions {
  /** The current index; a reload swaps what this returns. */
  readonly index: () => RecordIndex;
  /** Asked for ExternalName targets outside the zone; default NO_UPSTREAM. */
  readonly upstream?: Upstream;
  /** Relays a query we are not authoritative for; absent ⇒ REFUSED. */
  readonly forward?: (query: Query) => Buffer | Promise<Buffer>;
  /**
   * --search-namespace: short names outside the zone are first tried as a
   * pod of this namespace would try them (autopath.ts); absent ⇒ off.
   */
  readonly searchNamespace?: string;
  /** Told when a `clusterdns.io/address` hostname gave no address (for a log line). */
  readonly onUnresolvedHostname?: UnresolvedHook;
}

export interface Responder {
  respond(query: Query): Buffer | Promise<Buffer>;
}

export function createResponder(options: ResponderOptions): Responder {
  const upstream = options.upstream ?? NO_UPSTREAM;
  // Advances per answered query so multi-record A/AAAA sets rotate (CoreDNS loadbalance).
  let turn = 0;

  function respond(query: Query): Buffer | Promise<Buffer> {
    // CoreDNS refuses classes other than IN unless a plugin opens them, and
    // `forward` does: with forwarding on, any class is read as IN inside our
    // zones (records of class IN) and forwarded outside; off, REFUSED.
    if (query.qclass !== RRClass.IN && !options.forward) {
      return writeEmptyResponse(query, { rcode: RCode.REFUSED });
    }
    const name = normalizeName(query.name);
    const lookup: Lookup = options.index().lookup(name, query.qtype);
    switch (lookup.kind) {
      case 'answer':
        return writeResponse(query, lookup.answer, turn++);
      case 'external':
        return external(query, name, lookup);
      case 'reverse-miss':
        return options.forward ? options.forward(query) : writeResponse(query, lookup.local, turn++);
      case 'refused':
        return writeEmptyResponse(query, { rcode: RCode.REFUSED });
      case 'not-ours':
        return autopath ? autopath(query, name) : notOurs(query);
    }
  }

  function notOurs(query: Query): Buffer | Promise<Buffer> {
    return options.forward ? options.forward(query) : writeEmptyResponse(query, { rcode: RCode.REFUSED });
  }

  const autopath = options.searchNamespace
    ? createAutopath({ namespace: options.searchNamespace, zone: () => options.index().zone, respond, fallback: notOurs })
    : undefined;

  /** ExternalName outside the zone: our CNAME chain, then whatever the upstream has for the target. */
  async function external(query: Query, name: string, lookup: Extract<Lookup, { kind: 'external' }>): Promise<Buffer> {
    if (lookup.hostnames) return annotated(query, name, lookup.hostnames, lookup.nodata);
    const result = await upstream.lookup(lookup.target, query.qtype);
    // A target the upstream cannot resolve (down, refused, empty): the CNAME alone, NOERROR, as CoreDNS answers.
    const fetched: readonly ResourceRecord[] = result.kind === 'answer' ? result.records : [];
    const answer = [...lookup.cnames, ...fetched];
    // The CNAME chain's first owner is the lower-case question; the wire keeps the client's case.
    const prepared = prepareAnswer(
      name,
      RCode.NOERROR,
      { answer, authority: [], additional: [] },
      { authoritative: true },
    );
    return writeResponse(query, prepared, turn++);
  }

  /** A name whose `clusterdns.io/address` is a hostname: the upstream's addresses under the name itself. */
  async function annotated(query: Query, name: string, hostnames: HostnameTargets, fallback: PreparedAnswer): Promise<Buffer> {
    const answer = await resolveHostnameAddresses(upstream, name, query.qtype, hostnames, options.onUnresolvedHostname);
    if (!answer) return writeResponse(query, fallback, turn++);
    const prepared = prepareAnswer(name, RCode.NOERROR, { answer, authority: [], additional: [] }, { authoritative: true });
    return writeResponse(query, prepared, turn++);
  }

  return { respond };
}
