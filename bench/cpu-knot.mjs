#!/usr/bin/env node
// CPU per answer, user and system apart, of one or more clusterdns builds and
// Knot DNS on the bench's cluster mix (issue 19 item 1), alternating every
// round (A B K A B K …), each server pinned to CPU 1 and dnsperf to CPU 0 as
// in `npm run bench`. For before/after figures of a change to the UDP path.
//
//   node bench/cpu-knot.mjs [--side label[@cpu]=/path/to/checkout[:ENV=value,…][+--flag=value…]] … [--rounds 3] [--seconds 5]
//                           [--rate 60000] [--no-knot] [--knot-own-affinity] [--json]
//
// Without --side: this checkout. A side's ENV pairs go into that server's
// environment (for switches an experiment adds); `@0` runs it on CPU 0, with
// dnsperf, as knotd puts its own UDP worker (see --knot-own-affinity); `+--bind=0.0.0.0`
// adds serve flags (dnsperf still asks 127.0.0.1). Prints one row per run and
// the least user, system and total µs per answer of each side.

import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { clusterShape, clusterYaml } from './gen-cluster.mjs';
import { queryMix } from './gen-queries.mjs';
import { knotBinary, knotForCluster } from './knot-config.mjs';
import { dnsperf, fixed, pinThreads, freePort, loadAverage, out, root, start, stopAll, waitForAnswer, writeLines } from './lib.mjs';
import { spawnSync } from 'node:child_process';

const { values } = parseArgs({
  options: {
    side: { type: 'string', multiple: true, default: [] },
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '5' },
    rate: { type: 'string' },
    'no-knot': { type: 'boolean', default: false },
    'knot-own-affinity': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});

const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;
/** [user, system] CPU seconds of a process (all threads) so far. */
function times(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return [Number(fields[11]) / CLOCK_TICKS, Number(fields[12]) / CLOCK_TICKS];
}

function parseSide(text) {
  const eq = text.indexOf('=');
  if (eq < 1) throw new Error(`--side ${text}: expected label[@cpu]=/path[:ENV=value,…]`);
  const [rest, ...extra] = text.slice(eq + 1).split('+');
  const [dir, envText = ''] = rest.split(':');
  const env = Object.fromEntries(envText.split(',').filter(Boolean).map((pair) => pair.split('=')));
  const [label, cpu = '1'] = text.slice(0, eq).split('@');
  return { label: cpu === '1' ? label : `${label} on CPU ${cpu}`, cpu, dir: path.resolve(dir), env, extra };
}

const sides = values.side.length > 0 ? values.side.map(parseSide) : [{ label: 'clusterdns', cpu: '1', dir: root, env: {}, extra: [] }];
const size = { services: 1000, pods: 10000, namespaces: 20 };
const zone = 'cluster.local';
const shape = clusterShape(size);
mkdirSync(out, { recursive: true });
const clusterFile = path.join(out, 'cpu-cluster.yaml');
await writeLines(clusterFile, [...clusterYaml(shape, size.namespaces)].map((doc) => `---\n${doc.trimEnd()}`));
const queryFile = path.join(out, 'cpu-queries.txt');
await writeLines(queryFile, queryMix(shape, 100_000, zone));
const probe = `${shape[0].name}.${shape[0].namespace}.svc.${zone}`;

const servers = [];
try {
  for (const side of sides) {
    const port = await freePort();
    const argv = [process.execPath, path.join(side.dir, 'dist/cli.js'), 'serve', '-f', clusterFile, '--bind', '127.0.0.1',
      '--port', String(port), '--log-level', 'warn', '--upstream', 'none', ...side.extra];
    const child = start(side.cpu, argv, { spawn: { env: { ...process.env, ...side.env } } });
    await waitForAnswer(port, probe, 120, child);
    dnsperf(port, queryFile, { seconds: 2 }); // warm: encode the answers, let V8 optimize
    servers.push({ label: side.label, port, child });
  }
  const knotd = values['no-knot'] ? undefined : knotBinary();
  if (knotd) {
    // knotd pins its UDP worker itself (thread i to CPU i mod cores): CPU 0,
    // dnsperf's. Moved back to CPU 1 with the rest of the process, as the
    // bench does; --knot-own-affinity also runs one left where it put itself.
    const variants = [['Knot DNS', true], ...(values['knot-own-affinity'] ? [['Knot DNS, worker on CPU 0', false]] : [])];
    for (const [label, repin] of variants) {
      const port = await freePort();
      const child = start(1, knotForCluster(knotd, clusterFile, path.join(out, label.replace(/\W+/g, '-')), port));
      await waitForAnswer(port, probe, 120, child);
      if (repin) pinThreads(child.pid, 1);
      servers.push({ label, port, child });
    }
  }
  const rows = [];
  const loadBefore = loadAverage();
  for (let round = 1; round <= Number(values.rounds); round++) {
    for (const { label, port, child } of servers) {
      const [u0, s0] = times(child.pid);
      const run = dnsperf(port, queryFile, { seconds: Number(values.seconds), rate: values.rate ? Number(values.rate) : undefined });
      const [u1, s1] = times(child.pid);
      const per = (seconds) => (seconds * 1e6) / run.answered;
      rows.push({ label, round, qps: run.qps, lost: run.lost, userUs: per(u1 - u0), systemUs: per(s1 - s0), cpuUs: per(u1 - u0 + s1 - s0), load: loadAverage() });
    }
  }
  const best = {};
  for (const row of rows) {
    const b = (best[row.label] ??= { userUs: Infinity, systemUs: Infinity, cpuUs: Infinity });
    for (const key of ['userUs', 'systemUs', 'cpuUs']) b[key] = Math.min(b[key], row[key]);
  }
  if (values.json) {
    console.log(JSON.stringify({ date: new Date().toISOString(), loadBefore, rows, best }, null, 2));
  } else {
    console.log(`${new Date().toISOString()}; load before ${loadBefore}\n`);
    console.log('| server | round | q/s | lost | user µs | system µs | CPU µs per answer | load after |\n|---|---|---|---|---|---|---|---|');
    for (const r of rows) console.log(`| ${r.label} | ${r.round} | ${r.qps} | ${r.lost} | ${fixed(r.userUs)} | ${fixed(r.systemUs)} | ${fixed(r.cpuUs)} | ${r.load} |`);
    console.log('\n| server | least user µs | least system µs | least CPU µs |\n|---|---|---|---|');
    for (const [label, b] of Object.entries(best)) console.log(`| ${label} | ${fixed(b.userUs)} | ${fixed(b.systemUs)} | ${fixed(b.cpuUs)} |`);
    if (best['Knot DNS']) {
      for (const [label, b] of Object.entries(best)) if (label !== 'Knot DNS') console.log(`\n${label} / Knot DNS: ${fixed(b.cpuUs / best['Knot DNS'].cpuUs)}`);
    }
  }
} finally {
  await stopAll();
}
