// Knot DNS serving exactly the zone `clusterdns records --format zone` prints
// for the same manifests: the authoritative peer of the CPU-per-answer runs
// (issue 19). One UDP and one TCP worker, so it competes on one core as
// clusterdns does; nothing is written but its own files under `dir`.
// knotd sets its workers' affinity itself (worker i on CPU i mod cores), which
// undoes `taskset -c 1`: its UDP worker ran on CPU 0 beside dnsperf. Callers
// re-pin the process once it answers (lib.mjs pinThreads).

import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cli } from './lib.mjs';

/** The knotd binary, or undefined when Knot is not installed (apt-get install -y knot). */
export function knotBinary() {
  for (const candidate of ['knotd', '/usr/sbin/knotd']) {
    if (spawnSync(candidate, ['--version']).status === 0) return candidate;
  }
  return undefined;
}

/** Writes the zone and a knot.conf into `dir`; returns knotd's command line (listening on 127.0.0.1@port). */
export function knotForCluster(knotd, clusterFile, dir, port, zone = 'cluster.local') {
  const root = path.join(dir, 'knot');
  mkdirSync(root, { recursive: true });
  const listing = spawnSync(process.execPath, [cli, 'records', '-f', clusterFile, '--format', 'zone'], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (listing.status !== 0) throw new Error(`clusterdns records failed: ${listing.stderr}`);
  const zoneFile = path.join(root, `${zone}.zone`);
  writeFileSync(zoneFile, listing.stdout);
  const conf = path.join(root, 'knot.conf');
  writeFileSync(conf, [
    'server:',
    `    rundir: "${root}"`,
    `    listen: 127.0.0.1@${port}`,
    '    udp-workers: 1',
    '    tcp-workers: 1',
    '    background-workers: 1',
    'database:',
    `    storage: "${root}"`,
    'log:',
    '  - target: stderr',
    '    any: warning',
    'zone:',
    `  - domain: ${zone}`,
    `    file: "${zoneFile}"`,
    '    zonefile-sync: -1',
    '    journal-content: none',
    '',
  ].join('\n'));
  return [knotd, '-c', conf];
}
