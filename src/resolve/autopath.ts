// Short names for clients that are not pods (issue 5, part 6; --search-namespace).
//
// A laptop's resolver, Java, Go or curl asks `web` or `db.prod` as is: no
// search list, no ndots. With a search namespace NS, such a name is first
// tried the way a pod in NS would try it (spec §8: `<name>.NS.svc.<zone>`,
// `<name>.svc.<zone>`, `<name>.<zone>`); the first candidate that is not
// NXDOMAIN is the answer, rewritten the way CoreDNS's autopath plugin does
// (plugin/autopath, cnamer): a CNAME from the asked name to the owner of the
// first answer record, then the records. A NODATA candidate ends the search
// too (a pod's resolver stops there) and is passed on without a CNAME, as
// autopath does. When no candidate exists the name goes where it went before
// (forwarded, or REFUSED without upstreams).

import { RCode, type ResourceRecord } from '../dns/types.js';
import { prepareAnswer, writeResponse } from '../dns/wire.js';
// The relay's strict message reader decodes our own sub-answer back into records.
import { decodeAnswers, parseMessage, type ParsedMessage, type Section } from '../dns/index.js';
import type { Query } from '../dns/query.js';

/** The labels a short name may have: `svc`, `svc.ns` and `pod.svc` forms (issue 5). */
const MAX_SHORT_LABELS = 2;
const AA_FLAG = 0x0400;

export interface AutopathOptions {
  /** The namespace whose pods' search list is applied (a validated DNS-1123 label). */
  readonly namespace: string;
  /** The cluster domain of the current index. */
  readonly zone: () => string;
  /** Answers a query in the cluster zone (the responder itself). */
  readonly respond: (query: Query) => Buffer | Promise<Buffer>;
  /** What happens to names the search does not find: forward, or REFUSED. */
  readonly fallback: (query: Query) => Buffer | Promise<Buffer>;
}

/** Absolute names a pod in `namespace` would ask for `name`, in order; empty when `name` is not short. */
export function searchCandidates(name: string, namespace: string, zone: string): string[] {
  if (name === '' || name.split('.').length > MAX_SHORT_LABELS) return [];
  return [`${name}.${namespace}.svc.${zone}`, `${name}.svc.${zone}`, `${name}.${zone}`];
}

/** `name` is the lower-case question name, already known to lie outside every zone of ours. */
export function createAutopath(options: AutopathOptions): (query: Query, name: string) => Promise<Buffer> {
  return async (query, name) => {
    for (const candidate of searchCandidates(name, options.namespace, options.zone())) {
      const reply = await options.respond(subQuery(query, candidate));
      const parsed = parseMessage(reply);
      if (parsed instanceof Error || parsed.rcode === RCode.NXDOMAIN) continue;
      if (parsed.rcode !== RCode.NOERROR) break;
      // Turn 0: the candidate's answer was already rotated when it was built.
      return writeResponse(query, rewrite(name, reply, parsed), 0);
    }
    return options.fallback(query);
  };
}

/** The candidate asked as TCP without EDNS: nothing is cut, and no OPT record to strip. */
function subQuery(query: Query, candidate: string): Query {
  return {
    id: query.id,
    opcode: query.opcode,
    rd: query.rd,
    cd: query.cd,
    name: candidate,
    qtype: query.qtype,
    qclass: query.qclass,
    transport: 'tcp',
  };
}

/** The candidate's answer under the asked name: CNAME to the first answer's owner (its TTL), then the rest as is. */
function rewrite(name: string, reply: Buffer, parsed: ParsedMessage) {
  const answer = section(reply, parsed, 'answer');
  const first = answer[0];
  const cname: ResourceRecord[] = first ? [{ name, ttl: first.ttl, data: { type: 'CNAME', target: first.name } }] : [];
  return prepareAnswer(
    name,
    parsed.rcode,
    {
      answer: [...cname, ...answer],
      authority: section(reply, parsed, 'authority'),
      additional: section(reply, parsed, 'additional'),
    },
    { authoritative: (reply.readUInt16BE(2) & AA_FLAG) !== 0 },
  );
}

/** decodeAnswers reads the answer section only; hand it the other sections' slots as if they were answers. */
function section(reply: Buffer, parsed: ParsedMessage, wanted: Section): ResourceRecord[] {
  const records = parsed.records.filter((slot) => slot.section === wanted).map((slot) => ({ ...slot, section: 'answer' as const }));
  return decodeAnswers(reply, { ...parsed, records });
}
