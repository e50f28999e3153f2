#!/usr/bin/env node
// Where a big cluster's load time and memory go, phase by phase, in one
// process (no sockets): read + parse the YAML, build the cluster state, build
// the record index, answer a first query. Heap figures are after a full GC,
// so they are what each phase keeps, not what it churned through.
//
//   npm run build && node --expose-gc bench/scale-phases.mjs [--services 10000] [--pods 150000]
//
// The generated manifests are cached in bench/out/phases-<pods>/.

import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { clusterShape, clusterYaml } from './gen-cluster.mjs';
import { out } from './lib.mjs';
import { loadManifests } from '../dist/manifests/index.js';
import { buildCluster } from '../dist/cluster/build.js';
import { buildRecordIndex } from '../dist/records/index.js';

const DOCS_PER_FILE = 5000;

const { values } = parseArgs({
  options: { services: { type: 'string', default: '10000' }, pods: { type: 'string', default: '150000' } },
});
const size = { services: Number(values.services), pods: Number(values.pods), namespaces: 20 };
const podCIDR = size.pods > 60000 ? '10.128.0.0/9' : '10.244.0.0/16';

const dir = path.join(out, `phases-${size.pods}`);
const shape = clusterShape(size);
if (!existsSync(dir)) {
  mkdirSync(dir, { recursive: true });
  const docs = [...clusterYaml(shape, size.namespaces)].map((doc) => `---\n${doc.trimEnd()}`);
  for (let part = 0; part * DOCS_PER_FILE < docs.length; part++) {
    writeFileSync(path.join(dir, `cluster-${part}.yaml`), `${docs.slice(part * DOCS_PER_FILE, (part + 1) * DOCS_PER_FILE).join('\n')}\n`);
  }
}

if (!global.gc) console.warn('run with node --expose-gc for heap figures after a full GC');
const memory = () => {
  global.gc?.();
  // heapTotal: what V8 holds for the heap; the gap to heapUsed is free space it has not given back.
  const { rss, heapUsed, heapTotal } = process.memoryUsage();
  return `rss ${Math.round(rss / 1e6)} MB, heap ${Math.round(heapUsed / 1e6)} MB (of ${Math.round(heapTotal / 1e6)} MB)`;
};
let last = performance.now();
const phase = (what) => {
  const now = performance.now();
  console.log(`${what.padEnd(34)} ${String(Math.round(now - last)).padStart(6)} ms   ${memory()}`);
  last = performance.now();
};

console.log(`${size.services} services, ${size.pods} pods (${dir})`);
phase('start');
const load = await loadManifests([dir]);
if (!load.ok) throw new Error(`load failed: ${load.problems.map((p) => p.message).join('; ')}`);
phase(`manifests (${load.objects.length} objects)`);
const state = buildCluster(load.objects, { serviceCIDRs: ['10.96.0.0/12'], podCIDRs: [podCIDR], nodeCount: 3 });
phase(`cluster state (${state.pods.length} pods)`);
const index = buildRecordIndex(state, {
  zone: 'cluster.local',
  ttl: 5,
  podMode: 'verified',
  serial: 1,
  nameserverAddresses: ['127.0.0.1'],
  reverseFallthrough: false,
});
phase('record index');
const first = index.lookup(`${shape[0].name}.${shape[0].namespace}.svc.cluster.local`, 1);
if (first.kind !== 'answer') throw new Error(`first query: ${first.kind}`);
phase('first answer');
