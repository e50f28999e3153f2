#!/usr/bin/env node
// Forwarded names, cached: clusterdns vs dnsmasq, both forwarding to the same
// upstream (a third, authoritative-only dnsmasq) on loopback, in one run.
//
//   npm run bench:forward -- [--seconds 10] [--names 1000] [--clients 4]
//
// Order A B A B (clusterdns, dnsmasq, clusterdns, dnsmasq), each pinned to CPU 1
// with dnsperf on CPU 0 when taskset exists. Both caches are warmed first.

import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import dgram from 'node:dgram';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'bench/out');
const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    names: { type: 'string', default: '1000' },
    clients: { type: 'string', default: '4' },
  },
});
const names = Number(values.names);
mkdirSync(out, { recursive: true });
const hostsFile = path.join(out, 'upstream.hosts');
writeFileSync(hostsFile, Array.from({ length: names }, (_, i) => `10.1.${i >> 8}.${i & 255} ext-${i}.example.com\n`).join(''));
const queryFile = path.join(out, 'forward-queries.txt');
writeFileSync(queryFile, Array.from({ length: names }, (_, i) => `ext-${i}.example.com A\n`).join(''));

const hasTaskset = spawnSync('taskset', ['-V']).status === 0;
const pinned = (cpu, argv) => (hasTaskset ? ['taskset', ['-c', String(cpu), ...argv]] : [argv[0], argv.slice(1)]);
const children = [];
const start = (cpu, argv) => {
  const [cmd, args] = pinned(cpu, argv);
  const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  children.push(child);
  return child;
};
const dnsmasq = (port, extra) => [
  'dnsmasq', '--keep-in-foreground', '--user=root', `--port=${port}`, '--listen-address=127.0.0.1', '--bind-interfaces',
  '--no-resolv', '--no-hosts', '--conf-file=/dev/null', '--pid-file=', ...extra,
];

try {
  const [upstreamPort, dnsmasqPort, clusterdnsPort] = [await freePort(), await freePort(), await freePort()];
  start(0, dnsmasq(upstreamPort, [`--addn-hosts=${hostsFile}`, '--local-ttl=300', '--cache-size=0']));
  start(1, dnsmasq(dnsmasqPort, [`--server=127.0.0.1#${upstreamPort}`, '--cache-size=10000']));
  start(1, [process.execPath, path.join(root, 'dist/cli.js'), 'serve', '-f', path.join(root, 'manifests'), '--port', String(clusterdnsPort),
    '--upstream', `127.0.0.1:${upstreamPort}`, '--log-level', 'warn']);
  for (const port of [upstreamPort, dnsmasqPort, clusterdnsPort]) await waitForAnswer(port, 'ext-0.example.com');
  for (const port of [dnsmasqPort, clusterdnsPort]) perf(port, 2); // warm the caches

  const runs = [];
  for (const [label, port] of [['clusterdns', clusterdnsPort], ['dnsmasq', dnsmasqPort], ['clusterdns', clusterdnsPort], ['dnsmasq', dnsmasqPort]]) {
    runs.push({ label, ...perf(port, Number(values.seconds)) });
  }
  const best = (label) => Math.max(...runs.filter((run) => run.label === label).map((run) => run.qps));
  const ratio = best('clusterdns') / best('dnsmasq');
  const table =
    `| date | server | queries/s | lost | avg latency (ms) |\n|---|---|---|---|---|\n` +
    runs.map((run) => `| ${new Date().toISOString().slice(0, 10)} | ${run.label} | ${run.qps} | ${run.lost} | ${run.latencyMs} |`).join('\n') +
    `\n\nclusterdns / dnsmasq (best of two, forwarded names, cached): **${ratio.toFixed(2)}**\n`;
  writeFileSync(path.join(out, 'forward-results.md'), table);
  process.stdout.write(table);
} finally {
  for (const child of children) child.kill('SIGTERM');
}

function perf(port, seconds) {
  const [cmd, args] = pinned(0, ['dnsperf', '-s', '127.0.0.1', '-p', String(port), '-d', queryFile, '-l', String(seconds), '-c', values.clients, '-q', '100']);
  const result = spawnSync(cmd, args, { encoding: 'utf8' });
  const figure = (label) => Number(/[\d.]+/.exec(result.stdout.split('\n').find((l) => l.includes(label)) ?? '')?.[0]);
  return { qps: Math.round(figure('Queries per second')), lost: figure('Queries lost'), latencyMs: (figure('Average Latency') * 1000).toFixed(3) };
}

function freePort() {
  return new Promise((resolve) => {
    const socket = dgram.createSocket('udp4');
    socket.bind(0, '127.0.0.1', () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}

async function waitForAnswer(port, name) {
  for (let i = 0; i < 100; i++) {
    const dig = spawnSync('dig', ['@127.0.0.1', '-p', String(port), '+tries=1', '+time=1', '+short', name], { encoding: 'utf8' });
    if (dig.status === 0 && dig.stdout.trim()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing answered on port ${port}`);
}
