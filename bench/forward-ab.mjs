#!/usr/bin/env node
// Two builds of clusterdns forwarding the same names, interleaved (A B A B …),
// cached and uncached: queries per second and the server's CPU time per
// query (from /proc/<pid>/stat), which the machine's other load disturbs
// less than the rate. For before/after figures of a change to the forwarder.
//
//   node bench/forward-ab.mjs --a /path/to/old/checkout --b . [--rounds 3] [--seconds 5]
//
// Each side is a checkout with dist/ built. One upstream dnsmasq on loopback
// (CPU 0, no cache) serves 1000 names; each server runs on CPU 1 with
// `--upstream 127.0.0.1:<dnsmasq>` (uncached: also --no-cache), dnsperf on CPU 0.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { dnsmasqArgs, dnsperf, freePort, loadAverage, out, start, stop, stopAll, waitForAnswer, writeLines } from './lib.mjs';

const { values } = parseArgs({
  options: {
    a: { type: 'string' },
    b: { type: 'string', default: '.' },
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '5' },
  },
});
if (!values.a) throw new Error('--a <checkout> is required (the build to compare against)');
const sides = [['A', path.resolve(values.a)], ['B', path.resolve(values.b)]];
const seconds = Number(values.seconds);
const names = 1000;
const hostsFile = path.join(out, 'ab-upstream.hosts');
const queries = path.join(out, 'ab-queries.txt');
await writeLines(hostsFile, Array.from({ length: names }, (_, i) => `10.1.${i >> 8}.${i & 255} ext-${i}.example.com`));
await writeLines(queries, Array.from({ length: names }, (_, i) => `ext-${i}.example.com A`));

/** user + system CPU seconds of a process so far. */
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (100 Hz)
}

const upstreamPort = await freePort();
const upstream = start(0, dnsmasqArgs(upstreamPort, [`--addn-hosts=${hostsFile}`, '--local-ttl=300', '--cache-size=0']));
const rows = [];
try {
  await waitForAnswer(upstreamPort, 'ext-0.example.com');
  console.log(`load before: ${loadAverage()}`);
  for (let round = 0; round < Number(values.rounds); round++) {
    for (const cached of [true, false]) {
      for (const [label, dir] of sides) {
        const port = await freePort();
        const extra = cached ? [] : ['--no-cache'];
        const server = start(1, [process.execPath, path.join(dir, 'dist/cli.js'), 'serve', '-f', path.join(dir, 'manifests'),
          '--bind', '127.0.0.1', '--port', String(port), '--log-level', 'error', '--upstream', `127.0.0.1:${upstreamPort}`, ...extra]);
        await waitForAnswer(port, 'ext-0.example.com');
        if (cached) dnsperf(port, queries, { seconds: 2 }); // fill the cache
        const before = cpuSeconds(server.pid);
        const run = dnsperf(port, queries, { seconds });
        const cpu = cpuSeconds(server.pid) - before;
        await stop(server);
        const row = { round, side: label, cached, qps: run.qps, lost: run.lost, cpuUsPerQuery: (cpu * 1e6) / Math.max(1, run.sent - run.lost) };
        rows.push(row);
        console.log(JSON.stringify(row));
      }
    }
  }
  console.log(`load after: ${loadAverage()}`);
} finally {
  await stop(upstream);
  await stopAll();
}

console.log('\n| build | path | queries/s (each round) | server CPU per query, µs (each round) |\n|---|---|---|---|');
for (const cached of [true, false]) {
  for (const [label] of sides) {
    const mine = rows.filter((row) => row.side === label && row.cached === cached);
    console.log(`| ${label} | ${cached ? 'cached' : 'uncached'} | ${mine.map((r) => r.qps).join(', ')} | ${mine.map((r) => r.cpuUsPerQuery.toFixed(1)).join(', ')} |`);
  }
}
