#!/usr/bin/env node
// The whole benchmark (issue 6): `npm run bench` (minutes; not part of npm test).
//
//   node bench/run.mjs [--seconds 10] [--only cluster,size,latency,forward,querylog,workers,scale,stall]
//                      [--services 1000] [--pods 10000] [--no-record]
//
// Every server listens on 127.0.0.1 and never forwards off the machine.
// Peers: dnsmasq (cluster names, cached forwards) and Knot DNS (issue 19:
// the same zone, UDP and TCP; skipped with a line when knotd is absent).
// Each dnsperf run also reads the server's CPU time (/proc/PID/stat) and
// reports it per answer: dnsperf's one core caps q/s, CPU tells servers apart.
// Servers run on CPU 1 and dnsperf on CPU 0 (taskset); A/B runs alternate
// (A B A B) and the best of each side gives the ratio, since these machines
// are noisy. Prints Markdown, writes bench/out/results.json, bench/chart.svg
// and appends the run (command, machine, date, load) to bench/RESULTS.md.

import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { clusterShape, clusterYaml } from './gen-cluster.mjs';
import { queryMix } from './gen-queries.mjs';
import { dnsmasqForCluster } from './dnsmasq-config.mjs';
import { knotBinary, knotForCluster } from './knot-config.mjs';
import { dnsmasqArgs, dnsperf, fixed, freePort, loadAverage, out, pinThreads, root, serveArgs, start, stop, stopAll, waitForAnswer, writeLines } from './lib.mjs';
import { scaleRun } from './scale.mjs';
import { stallProbe, stallReport } from './stall-probe.mjs';
import { chartSvg } from './chart.mjs';

const SECTIONS = ['cluster', 'size', 'latency', 'forward', 'querylog', 'workers', 'scale', 'stall'];
const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    services: { type: 'string', default: '1000' },
    pods: { type: 'string', default: '10000' },
    namespaces: { type: 'string', default: '20' },
    only: { type: 'string', default: SECTIONS.join(',') },
    'no-record': { type: 'boolean', default: false },
  },
});
const seconds = Number(values.seconds);
const only = new Set(values.only.split(','));
const size = { services: Number(values.services), pods: Number(values.pods), namespaces: Number(values.namespaces) };
const zone = 'cluster.local';
mkdirSync(out, { recursive: true });

const report = [];
const results = { date: new Date().toISOString(), machine: machine(), load: { before: loadAverage() } };
const say = (text) => {
  report.push(text);
  process.stdout.write(`${text}\n`);
};

const shape = clusterShape(size);
const clusterFile = path.join(out, 'cluster.yaml');
await writeLines(clusterFile, [...clusterYaml(shape, size.namespaces)].map((doc) => `---\n${doc.trimEnd()}`));
const queryFile = path.join(out, 'queries.txt');
await writeLines(queryFile, queryMix(shape, 100_000, zone));
const probe = `${shape[0].name}.${shape[0].namespace}.svc.${zone}`;

try {
  if (only.has('cluster') || only.has('latency')) await clusterSection();
  if (only.has('size')) await sizeSection();
  if (only.has('forward')) await forwardSection();
  if (only.has('querylog')) await queryLogSection();
  if (only.has('workers')) await workersSection();
  if (only.has('scale')) await scaleSection();
  if (only.has('stall')) await stallSection();
} finally {
  await stopAll();
}
results.load.after = loadAverage();
writeFileSync(path.join(out, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(path.join(root, 'bench/chart.svg'), chartSvg(results));
if (!values['no-record']) record();

/**
 * Target 1 (cluster answers vs dnsmasq), issue 19 (CPU per answer vs Knot DNS,
 * UDP and TCP) and target 3 (latency at half the maximum). Knot serves the
 * zone `clusterdns records --format zone` prints; skipped when not installed.
 */
async function clusterSection() {
  const [ours, theirs, knotPort] = [await freePort(), await freePort(), await freePort()];
  const clusterdns = start(1, serveArgs(clusterFile, ours));
  const dnsmasq = start(1, dnsmasqArgs(theirs, dnsmasqForCluster(clusterFile, out, queryFile)));
  const knotd = knotBinary();
  const knot = knotd ? start(1, knotForCluster(knotd, clusterFile, out, knotPort)) : undefined;
  if (!knotd) say('\nKnot DNS not installed (apt-get install -y knot): its rows are skipped.');
  await waitForAnswer(ours, probe);
  await waitForAnswer(theirs, probe);
  if (knot) {
    await waitForAnswer(knotPort, probe, 120, knot);
    // knotd pins its UDP worker itself, to CPU 0 (dnsperf's core): back to the servers' core.
    pinThreads(knot.pid, 1);
  }
  dnsperf(ours, queryFile, { seconds: 2 }); // warm: encode the answers, let V8 optimize
  const servers = [['clusterdns', ours, clusterdns], ['dnsmasq', theirs, dnsmasq], ...(knot ? [['Knot DNS', knotPort, knot]] : [])];
  const runs = alternate(servers.map(([label, port, server]) => [label, { port, server }]), ({ port, server }) => dnsperf(port, queryFile, { seconds, server }));
  results.cluster = summarize(runs);
  say(`\n### Cluster answers (mix: ClusterIP 40 %, headless 20 %, StatefulSet pod 10 %, SRV 10 %, NXDOMAIN 20 %; ${size.services} services, ${size.pods} pods)\n`);
  say(runTable(runs));
  say(`\nclusterdns / dnsmasq: **${fixed(results.cluster.ratio)}** (best of two each; target ≥ 0.7)\n`);
  if (knot) {
    const cpu = results.cluster.cpu;
    results.cluster.cpuRatio = cpu.clusterdns / cpu['Knot DNS'];
    say(`CPU per answer, clusterdns / Knot DNS: **${fixed(results.cluster.cpuRatio)}** (best of two each; issue 19 target ≤ 1.5)\n`);
    const tcpPairs = [['clusterdns', { port: ours, server: clusterdns }], ['Knot DNS', { port: knotPort, server: knot }]];
    const tcp = alternate(tcpPairs, ({ port, server }) => dnsperf(port, queryFile, { seconds: Math.max(2, seconds / 2), server, mode: 'tcp' }));
    results.tcp = summarize(tcp, 'clusterdns', 'Knot DNS');
    results.tcp.cpuRatio = results.tcp.cpu.clusterdns / results.tcp.cpu['Knot DNS'];
    say(`\n### Cluster answers over TCP (dnsperf -m tcp, same mix: 4 connections, 200 queries outstanding)\n`);
    say(runTable(tcp));
    say(`\nCPU per answer over TCP, clusterdns / Knot DNS: **${fixed(results.tcp.cpuRatio)}**\n`);
  }
  if (only.has('latency')) {
    const rate = Math.round(results.cluster.best.clusterdns / 2);
    const latency = alternate([['clusterdns', ours], ['dnsmasq', theirs]], (port) => dnsperf(port, queryFile, { seconds, rate }), 1);
    results.latency = { rate, runs: latency };
    say(`\n### Latency at half clusterdns's maximum (dnsperf -Q ${rate})\n`);
    say(runTable(latency, true));
    say('\nTarget: p99 under 1 ms.\n');
  }
  await stop(clusterdns);
  await stop(dnsmasq);
  await stop(knot);
}

/** Target 2: a 100-address headless answer costs no more than a one-address one. */
async function sizeSection() {
  const wideFile = path.join(out, 'wide.txt');
  const soloFile = path.join(out, 'solo.txt');
  await writeLines(wideFile, [`wide-hl.ns-000.svc.${zone} A`]);
  await writeLines(soloFile, [`solo-hl.ns-000.svc.${zone} A`]);
  const port = await freePort();
  const clusterdns = start(1, serveArgs(clusterFile, port));
  await waitForAnswer(port, probe);
  dnsperf(port, wideFile, { seconds: 1, edns: true });
  const runs = alternate([['100 addresses', wideFile], ['1 address', soloFile]], (file) => dnsperf(port, file, { seconds: Math.max(2, seconds / 2), edns: true }));
  await stop(clusterdns);
  results.size = summarize(runs, '100 addresses', '1 address');
  say(`\n### Answer size (headless service, EDNS 1232: 100 addresses rotate, ~75 fit, TC set)\n`);
  say(runTable(runs));
  say(`\n100 addresses / 1 address: **${fixed(results.size.ratio)}** (target ≥ 0.8)\n`);
}

/** Target 4: forwarded names from the cache vs dnsmasq's cache, same upstream. */
async function forwardSection() {
  const names = 1000;
  const hostsFile = path.join(out, 'upstream.hosts');
  await writeLines(hostsFile, Array.from({ length: names }, (_, i) => `10.1.${i >> 8}.${i & 255} ext-${i}.example.com`));
  const forwardQueries = path.join(out, 'forward-queries.txt');
  await writeLines(forwardQueries, Array.from({ length: names }, (_, i) => `ext-${i}.example.com A`));
  const [upstream, ours, theirs] = [await freePort(), await freePort(), await freePort()];
  const children = [
    start(0, dnsmasqArgs(upstream, [`--addn-hosts=${hostsFile}`, '--local-ttl=300', '--cache-size=0'])),
    start(1, dnsmasqArgs(theirs, [`--server=127.0.0.1#${upstream}`, '--cache-size=10000'])),
    start(1, serveArgs(path.join(root, 'manifests'), ours, ['--upstream', `127.0.0.1:${upstream}`])),
  ];
  for (const port of [upstream, ours, theirs]) await waitForAnswer(port, 'ext-0.example.com');
  for (const port of [ours, theirs]) dnsperf(port, forwardQueries, { seconds: 2 }); // fill the caches
  const pairs = [['clusterdns', { port: ours, server: children[2] }], ['dnsmasq', { port: theirs, server: children[1] }]];
  const runs = alternate(pairs, ({ port, server }) => dnsperf(port, forwardQueries, { seconds, server }));
  results.forward = summarize(runs);
  say(`\n### Forwarded names, answered from the cache (${names} names, upstream dnsmasq on loopback)\n`);
  say(runTable(runs));
  say(`\nclusterdns / dnsmasq: **${fixed(results.forward.ratio)}** (target ≥ 0.7); CPU per answer, clusterdns / dnsmasq: **${fixed(results.forward.cpu.clusterdns / results.forward.cpu.dnsmasq)}**\n`);
  // Uncached: every query goes to the upstream (a fresh UDP socket per query in clusterdns, issue 15).
  const [oursUncached, theirsUncached] = [await freePort(), await freePort()];
  children.push(
    start(1, dnsmasqArgs(theirsUncached, [`--server=127.0.0.1#${upstream}`, '--cache-size=0'])),
    start(1, serveArgs(path.join(root, 'manifests'), oursUncached, ['--upstream', `127.0.0.1:${upstream}`, '--no-cache'])),
  );
  for (const port of [oursUncached, theirsUncached]) await waitForAnswer(port, 'ext-0.example.com');
  const uncached = alternate([['clusterdns', oursUncached], ['dnsmasq', theirsUncached]], (port) => dnsperf(port, forwardQueries, { seconds }));
  for (const child of children) await stop(child);
  results.forwardUncached = summarize(uncached);
  say(`\n### Forwarded names, no cache (clusterdns --no-cache, dnsmasq --cache-size=0; same upstream)\n`);
  say(runTable(uncached));
  say(`\nclusterdns / dnsmasq: **${fixed(results.forwardUncached.ratio)}**\n`);
}

/** Issue 4: the query log must not cut throughput by more than a third. */
async function queryLogSection() {
  const [plain, logged] = [await freePort(), await freePort()];
  const logFile = path.join(out, 'query-log.ndjson');
  const { openSync } = await import('node:fs');
  const logFd = openSync(logFile, 'w');
  const a = start(1, serveArgs(clusterFile, plain));
  const b = start(1, serveArgs(clusterFile, logged, ['--log-queries', '--log-level', 'info']), { stderr: logFd });
  await waitForAnswer(plain, probe);
  await waitForAnswer(logged, probe);
  const runs = alternate([['no query log', plain], ['--log-queries', logged]], (port) => dnsperf(port, queryFile, { seconds: Math.max(2, seconds / 2) }));
  await stop(a);
  await stop(b);
  // A ratio only means something if every line was written: say how many went out and how many were dropped.
  const { readFileSync } = await import('node:fs');
  const text = readFileSync(logFile, 'latin1');
  const written = text.split('"module":"query"').length - 1;
  const dropped = Number(/"dropped":(\d+)/.exec(text)?.[1] ?? 0);
  results.querylog = { ...summarize(runs, '--log-queries', 'no query log'), written, dropped };
  say(`\n### Query log (--log-queries, stderr to a file)\n`);
  say(runTable(runs));
  say(`\nwith / without the query log: **${fixed(results.querylog.ratio)}** (target ≥ 0.67); query lines written ${written}, dropped ${dropped}\n`);
}

/** Target 6: --workers 2. Two cores are shared by dnsperf and the server here. */
async function workersSection() {
  const [one, two] = [await freePort(), await freePort()];
  const runs = [];
  for (const [label, port, workers] of [['--workers 1', one, 1], ['--workers 2', two, 2]]) {
    const cpus = workers === 1 ? 1 : '0,1';
    const server = start(cpus, serveArgs(clusterFile, port, ['--workers', String(workers)]));
    await waitForAnswer(port, probe);
    dnsperf(port, queryFile, { seconds: 2, clients: 8, cpus: '0,1' });
    const run = dnsperf(port, queryFile, { seconds, clients: 8, cpus: workers === 1 ? 0 : '0,1' });
    runs.push({ label, ...run });
    await stop(server);
  }
  results.workers = summarize(runs, '--workers 2', '--workers 1');
  say(`\n### --workers (dnsperf -c 8; with 2 workers dnsperf and both workers share the 2 cores)\n`);
  say(runTable(runs));
  say(`\n2 workers / 1 worker: **${fixed(results.workers.ratio)}**\n`);
}

/** Target 5: load time, RSS and reload time at 1k, 10k and 150k pods. */
async function scaleSection() {
  const sizes = [
    { services: 100, pods: 1000, namespaces: 10 },
    { services: 1000, pods: 10000, namespaces: 20 },
    { services: 10000, pods: 150000, namespaces: 50 },
  ];
  results.scale = [];
  for (const scale of sizes) results.scale.push(await scaleRun(scale, zone));
  results.scale.push(await scaleRun(sizes.at(-1), zone, ['--max-semi-space-size=4']));
  say(`\n### Scale (load from YAML to first answer; RSS at it, 1.5 s later, and the peak; --watch reload of one edited file: a Service, then a new Deployment of 3 pods + its headless Service)\n`);
  say('| services | pods | node flags | first answer (s) | RSS at first answer (MB) | RSS 1.5 s later (MB) | peak RSS (MB) | reload: Service edit → answered (s) | reload: new Deployment → answered (s) |\n|---|---|---|---|---|---|---|---|---|');
  for (const row of results.scale) {
    say(`| ${row.services} | ${row.pods} | ${row.nodeFlags || 'none'} | ${fixed(row.firstAnswerSeconds)} | ${fixed(row.rssMB, 0)} | ${fixed(row.settledRssMB, 0)} | ${fixed(row.peakRssMB, 0)} | ${fixed(row.reloadSeconds)} | ${fixed(row.workloadReloadSeconds)} |`);
  }
  say('\nTargets at 150k pods: first answer < 5 s, RSS < 150 MB, edit answered < 1 s.\n');
}

/** Issue 19 item 2: query latency while the 10k/150k cluster takes 5 edits (--watch), an apply, a scale and a reset (/v1, with a token). */
async function stallSection() {
  const { slowSentAtMs: _slow, ...result } = await stallProbe({ services: 10000, pods: 150000, namespaces: 50 }, zone);
  results.stall = result;
  say('\n### Stalls (1,000 A queries/s over UDP while the cluster changes; bench/stall-probe.mjs)\n');
  say(stallReport(result));
}

/** A B A B: each pair in turn, `rounds` times. */
function alternate(pairs, run, rounds = 2) {
  const runs = [];
  for (let round = 0; round < rounds; round++) for (const [label, target] of pairs) runs.push({ label, ...run(target) });
  return runs;
}

/** Best q/s of each label and their ratio; with CPU figures, the least CPU µs per answer of each label. */
function summarize(runs, a = 'clusterdns', b = 'dnsmasq') {
  const best = {};
  const cpu = {};
  for (const run of runs) {
    best[run.label] = Math.max(best[run.label] ?? 0, run.qps);
    if (Number.isFinite(run.cpuUs)) cpu[run.label] = Math.min(cpu[run.label] ?? Infinity, run.cpuUs);
  }
  return { runs, best, ratio: best[a] / best[b], ...(Object.keys(cpu).length ? { cpu } : {}) };
}

function runTable(runs, percentiles = false) {
  if (!percentiles && runs.some((run) => run.cpuUs !== undefined)) {
    const head = '| server | queries/s | lost | avg latency (ms) | server CPU per answer (µs) |\n|---|---|---|---|---|';
    return [head, ...runs.map((run) => `| ${run.label} | ${run.qps} | ${run.lost} | ${fixed(run.avgMs, 3)} | ${fixed(run.cpuUs)} |`)].join('\n');
  }
  const head = percentiles
    ? '| server | queries/s | lost | avg (ms) | p50 (ms) | p99 (ms) |\n|---|---|---|---|---|---|'
    : '| server | queries/s | lost | avg latency (ms) |\n|---|---|---|---|';
  const rows = runs.map((run) =>
    percentiles
      ? `| ${run.label} | ${run.qps} | ${run.lost} | ${fixed(run.avgMs, 3)} | ${fixed(run.p50Ms, 3)} | ${fixed(run.p99Ms, 3)} |`
      : `| ${run.label} | ${run.qps} | ${run.lost} | ${fixed(run.avgMs, 3)} |`,
  );
  return [head, ...rows].join('\n');
}

function machine() {
  const cpus = os.cpus();
  return `${cpus.length} × ${cpus[0]?.model ?? 'unknown CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GB, Linux ${os.release()}, Node ${process.version}`;
}

function record() {
  const command = `node bench/run.mjs ${process.argv.slice(2).join(' ')}`.trim();
  const header = [
    `\n## ${results.date.slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `- command: \`${command}\` (after \`npm run build\`)`,
    `- machine: ${results.machine}`,
    `- load average before / after: ${results.load.before} / ${results.load.after}`,
  ];
  appendFileSync(path.join(root, 'bench/RESULTS.md'), `${[...header, ...report].join('\n')}\n`);
}
