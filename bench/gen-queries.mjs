#!/usr/bin/env node
// The query mix a pod with `ndots:5` really sends, for dnsperf (`name TYPE` lines):
// ClusterIP A 40 %, headless A 20 %, StatefulSet pod A 10 %, SRV 10 %,
// NXDOMAIN from search-list expansion 20 %.
//
//   node bench/gen-queries.mjs --services 1000 --pods 10000 [--count 100000] > queries.txt

import { parseArgs } from 'node:util';
import { clusterShape, sizeFlags } from './gen-cluster.mjs';

export function* queryMix(all, count, zone = 'cluster.local') {
  const shape = all.filter((app) => !app.fixed);
  const statefulSets = shape.filter((app) => app.kind === 'StatefulSet');
  for (let i = 0; i < count; i++) {
    const app = shape[(i * 7919) % shape.length];
    const svc = `${app.name}.${app.namespace}.svc.${zone}`;
    const slot = i % 10;
    if (slot < 4) yield `${svc} A`;
    else if (slot < 6) yield `${app.name}-hl.${app.namespace}.svc.${zone} A`;
    else if (slot < 7) {
      const sts = statefulSets[(i * 31) % statefulSets.length] ?? app;
      yield `${sts.name}-${i % sts.replicas}.${sts.name}-hl.${sts.namespace}.svc.${zone} A`;
    } else if (slot < 8) yield `_http._tcp.${svc} SRV`;
    else yield `${svc}.${app.namespace}.svc.${zone} A`;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const argv = process.argv.slice(2);
  const { values } = parseArgs({ args: argv, options: { count: { type: 'string', default: '100000' } }, strict: false });
  const size = sizeFlags(argv.filter((arg, i) => arg !== '--count' && argv[i - 1] !== '--count'));
  for (const line of queryMix(clusterShape(size), Number(values.count))) process.stdout.write(`${line}\n`);
}
