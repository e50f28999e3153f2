// The root server block's answer-shaping plugins in CoreDNS's order —
// rewrite, then hosts — in front of the cluster and forwarding. Names under
// another server block's zones (a stub domain block) are answered there in
// CoreDNS, so they skip both.

import { isSubdomain, normalizeName } from '../dns/names.js';
import type { Query } from '../dns/query.js';
import { withHosts, type HostsTable } from './hosts.js';
import { withRewrites, type RewriteRule } from './rewrite.js';

type Respond = (query: Query) => Buffer | Promise<Buffer>;

export interface RootBlock {
  readonly rewrites: readonly RewriteRule[];
  readonly hosts: HostsTable | null;
  readonly otherBlockZones: readonly string[];
}

export function rootBlockPlugins(block: RootBlock, respond: Respond): Respond {
  const plugins = withRewrites(block.rewrites, withHosts(block.hosts, respond));
  if (plugins === respond || block.otherBlockZones.length === 0) return plugins;
  const zones = block.otherBlockZones;
  return (query) => {
    const name = normalizeName(query.name);
    return zones.some((zone) => isSubdomain(name, zone)) ? respond(query) : plugins(query);
  };
}
