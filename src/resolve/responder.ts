// The transport-free responder: Query in, response message out. A short
// dispatcher over the record index's Lookup (CoreDNS handler.go is the
// model); all record knowledge lives in src/records/.

import { RCode, RRClass, type ResourceRecord } from '../dns/types.js';
import { normalizeName } from '../dns/names.js';
import { prepareAnswer, writeEmptyResponse, writeResponse, type PreparedAnswer } from '../dns/wire.js';
import type { HostnameTargets, Lookup, RecordIndex } from '../records/types.js';
import type { Query } from '../dns/query.js';
import { NO_UPSTREAM, type Upstream } from './upstream.js';
import { resolveHostnameAddresses, type UnresolvedHook } from './address-hostnames.js';
import { createAutopath } from './autopath.js';

interface ResponderOptions {
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

interface Responder extends PreparedAnswers {
  respond(query: Query): Buffer | Promise<Buffer>;
}

/**
 * What the UDP wire path (src/server/answer-cache.ts) needs to answer a
 * repeated question without a Query: the encoded answer respond() would
 * write, and the rotation turn it would use.
 */
export interface PreparedAnswers {
  /**
   * The answer respond(query) writes with writeResponse, or undefined when it
   * answers any other way (forwarded, upstream, REFUSED, NOTIMP, autopath):
   * a PreparedAnswer depends only on the lower-cased name and the type.
   */
  prepared(query: Query): PreparedAnswer | undefined;
  /**
   * prepared() as it will answer once `epoch` (an index: what epoch() gives
   * after a swap) is in service: the stand-in's next table is rendered
   * before the swap.
   */
  preparedFrom(epoch: object, query: Query): PreparedAnswer | undefined;
  /** The rotation turn for the next answer (shared with respond()). */
  nextTurn(): number;
  /** Changes when a reload swaps the index: answers prepared before are stale. */
  epoch(): object;
}

export function createResponder(options: ResponderOptions): Responder {
  const upstream = options.upstream ?? NO_UPSTREAM;
  // Advances per answered query so multi-record A/AAAA sets rotate (CoreDNS loadbalance).
  let turn = 0;

  /** The index's answer for a query, or undefined when the class is refused. */
  function lookupFor(query: Query, name: string, index: RecordIndex = options.index()): Lookup | undefined {
    // CoreDNS refuses classes other than IN unless a plugin opens them, and
    // `forward` does: with forwarding on, any class is read as IN inside our
    // zones (records of class IN) and forwarded outside; off, REFUSED.
    if (query.qclass !== RRClass.IN && !options.forward) return undefined;
    return index.lookup(name, query.qtype);
  }

  function respond(query: Query): Buffer | Promise<Buffer> {
    const name = normalizeName(query.name);
    const lookup = lookupFor(query, name);
    if (lookup === undefined) return writeEmptyResponse(query, { rcode: RCode.REFUSED });
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

  function prepared(query: Query, index?: RecordIndex): PreparedAnswer | undefined {
    const lookup = lookupFor(query, normalizeName(query.name), index);
    return lookup?.kind === 'answer' ? lookup.answer : undefined;
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

  return {
    respond,
    prepared: (query) => prepared(query),
    preparedFrom: (epoch, query) => prepared(query, epoch as RecordIndex),
    nextTurn: () => turn++,
    epoch: () => options.index(),
  };
}
