// Which upstreams a name goes to (stub domains, longest suffix wins) and in
// which order they are tried (the policy).

import { randomInt } from 'node:crypto';
import { isSubdomain, normalizeName } from '../dns/names.js';
import { asciiLower } from '../dns/index.js';
import type { Policy, StubDomain, UpstreamAddress } from './types.js';

interface Group {
  readonly suffix: string;
  readonly upstreams: readonly UpstreamAddress[];
  /** round_robin: where the next query starts. */
  next: number;
}

export class Router {
  private readonly groups: Group[];
  private readonly fallback: Group;

  constructor(
    upstreams: readonly UpstreamAddress[],
    stubDomains: readonly StubDomain[],
    private readonly policy: Policy,
  ) {
    this.fallback = { suffix: '', upstreams, next: 0 };
    // Longest suffix first, so the first match is the most specific.
    this.groups = stubDomains
      .map((stub) => ({ suffix: asciiLower(stub.suffix.replace(/\.$/, '')), upstreams: stub.upstreams, next: 0 }))
      .sort((a, b) => b.suffix.length - a.suffix.length);
  }

  /** The upstreams for `name`, in the order to try them. */
  route(name: string): UpstreamAddress[] {
    return this.order(this.groupFor(normalizeName(name)));
  }

  private groupFor(name: string): Group {
    for (const group of this.groups) {
      // Escape-aware: `a\.corp.example` is not under `corp.example`.
      if (isSubdomain(name, group.suffix)) return group;
    }
    return this.fallback;
  }

  private order(group: Group): UpstreamAddress[] {
    const list = [...group.upstreams];
    if (list.length < 2) return list;
    switch (this.policy) {
      case 'sequential':
        return list;
      case 'round_robin': {
        const start = group.next % list.length;
        group.next = (start + 1) % list.length;
        return [...list.slice(start), ...list.slice(0, start)];
      }
      case 'random':
        for (let i = list.length - 1; i > 0; i--) {
          const j = randomInt(0, i + 1);
          [list[i], list[j]] = [list[j] as UpstreamAddress, list[i] as UpstreamAddress];
        }
        return list;
    }
  }
}
