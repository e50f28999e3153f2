#!/usr/bin/env node
// What each change of a big cluster costs the answering thread, in process:
// wall time, garbage-collector pauses, allocation (sampled), and the
// stretches the event loop could not turn (a query arriving in one waits
// for its end). Complements stall-probe.mjs, whose latencies come from a
// real client but vary with the machine; these vary less.
//
//   npm run build && node bench/stall-probe.mjs      # writes bench/out/stall-150000 once
//   taskset -c 1 node --max-semi-space-size=1 bench/change-cost.mjs [--sample] [--rounds 2]
//
// --max-semi-space-size=1 gives the young generation `serve` keeps (cli/heap.ts).
// Each round: 5 edits of a file (then a reload, as --watch does), an apply,
// a scale and a reset through the Node API. "excess" sums, over every stretch
// longer than 5 ms without a timer turn, the part beyond 5 ms: at 1,000
// queries/s, about how many queries would wait over 5 ms.

import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import inspector from 'node:inspector/promises';
import path from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { startClusterDns } from '../dist/index.js';

const { values } = parseArgs({ options: { sample: { type: 'boolean', default: false }, rounds: { type: 'string', default: '2' } } });
const dir = path.join(import.meta.dirname, 'out', 'stall-150000');
if (!existsSync(dir)) throw new Error(`${dir} is missing: run node bench/stall-probe.mjs once`);
const edit = path.join(dir, 'edit.yaml');
const service = (name) => `---\napiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\n  namespace: ns-000\nspec:\n  ports:\n    - name: http\n      port: 80\n`;
writeFileSync(edit, service('stall-0'));

const collections = [];
new PerformanceObserver((list) => collections.push(...list.getEntries())).observe({ entryTypes: ['gc'] });
let last = performance.now();
let excess = 0;
let longest = 0;
setInterval(() => {
  const now = performance.now();
  const gap = now - last;
  last = now;
  if (gap > 5) excess += gap - 5;
  longest = Math.max(longest, gap);
}, 1).unref();

const dns = await startClusterDns({ manifests: [dir], port: 0, podCIDR: '10.128.0.0/9', logLevel: 'silent' });
await sleep(3000);
const session = new inspector.Session();
session.connect();
if (values.sample) {
  await session.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
}
let edits = 0;
const changes = [
  ...[1, 2, 3, 4, 5].map((i) => [`edit ${i}`, () => (appendFileSync(edit, service(`stall-${++edits}`)), dns.reload())]),
  ['apply', () => dns.apply(service('stall-api'))],
  ['scale', () => dns.scale('StatefulSet', 'ns-001', 'app-00001', 27)],
  ['reset', () => dns.reset()],
];
const total = { ms: 0, gcMs: 0, excess: 0 };
console.log('| change | wall ms | collections (ms) | excess ms | longest stretch ms |\n|---|---|---|---|---|');
for (let round = 1; round <= Number(values.rounds); round++) {
  for (const [name, change] of changes) {
    const [from, seen] = [performance.now(), collections.length];
    excess = 0;
    longest = 0;
    await change();
    const ms = performance.now() - from;
    const gcMs = collections.slice(seen).reduce((sum, entry) => sum + entry.duration, 0);
    console.log(`| ${name} (round ${round}) | ${ms.toFixed(0)} | ${collections.length - seen} (${gcMs.toFixed(0)}) | ${excess.toFixed(0)} | ${longest.toFixed(1)} |`);
    Object.assign(total, { ms: total.ms + ms, gcMs: total.gcMs + gcMs, excess: total.excess + excess });
    await sleep(300);
  }
}
const count = changes.length * Number(values.rounds);
console.log(`\n${count} changes: ${total.ms.toFixed(0)} ms, collections ${total.gcMs.toFixed(0)} ms, excess ${total.excess.toFixed(0)} ms`);
if (values.sample) {
  const { profile } = await session.post('HeapProfiler.stopSampling');
  const bytes = new Map();
  const walk = (node) => {
    const frame = node.callFrame;
    const key = `${frame.functionName || '(anonymous)'} ${frame.url.split('/').slice(-2).join('/')}:${frame.lineNumber + 1}`;
    bytes.set(key, (bytes.get(key) ?? 0) + node.selfSize);
    node.children.forEach(walk);
  };
  walk(profile.head);
  const sum = [...bytes.values()].reduce((a, b) => a + b, 0);
  console.log(`allocated (sampled): ${(sum / 1e6).toFixed(1)} MB, ${(sum / 1e6 / count).toFixed(1)} MB per change; where:`);
  for (const [key, size] of [...bytes].sort((a, b) => b[1] - a[1]).slice(0, 20)) console.log(`  ${(size / 1e6).toFixed(1).padStart(7)} MB  ${key}`);
}
await dns.close();

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
