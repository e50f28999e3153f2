// dnsmasq serving the same cluster names as clusterdns, for the A/B runs:
// `clusterdns records` (zone text) → an --addn-hosts file (A/AAAA) and a
// config file of srv-host lines; `local=/<zone>/` makes every other name in
// the zone an authoritative NXDOMAIN, as the search-list expansions get.

import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cli } from './lib.mjs';

/** Writes the two files into `dir`; returns the dnsmasq flags that read them. */
/**
 * SRV lines are written only for the names in `queryFile`: dnsmasq keeps
 * srv-host entries in a list it walks for every query, so the 40,000 SRV
 * names of a 10k-pod cluster would measure that list, not its serving.
 */
export function dnsmasqForCluster(clusterFile, dir, queryFile, zone = 'cluster.local') {
  const asked = new Set(readFileSync(queryFile, 'utf8').split('\n').filter((l) => l.endsWith(' SRV')).map((l) => l.split(' ')[0].toLowerCase()));
  const listing = spawnSync(process.execPath, [cli, 'records', '-f', clusterFile], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (listing.status !== 0) throw new Error(`clusterdns records failed: ${listing.stderr}`);
  const hosts = [];
  const conf = [`local=/${zone}/`];
  for (const line of listing.stdout.split('\n')) {
    const [owner, , , type, ...data] = line.split(/\s+/);
    if (!owner) continue;
    const name = owner.replace(/\.$/, '');
    if (type === 'A' || type === 'AAAA') hosts.push(`${data[0]} ${name}`);
    else if (type === 'SRV' && asked.has(name.toLowerCase())) {
      const [priority, weight, port, target] = data;
      conf.push(`srv-host=${name},${target.replace(/\.$/, '')},${port},${priority},${weight}`);
    }
  }
  const hostsFile = path.join(dir, 'dnsmasq.hosts');
  const confFile = path.join(dir, 'dnsmasq.conf');
  writeFileSync(hostsFile, `${hosts.join('\n')}\n`);
  writeFileSync(confFile, `${conf.join('\n')}\n`);
  // local-ttl: the same TTL as clusterdns; cache off so dnsmasq answers from its config every time.
  return [`--addn-hosts=${hostsFile}`, `--conf-file=${confFile}`, '--local-ttl=5', '--cache-size=0'];
}
