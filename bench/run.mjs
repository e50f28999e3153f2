#!/usr/bin/env node
// First benchmark: dnsperf against clusterdns serving a generated cluster.
//
//   npm run bench -- [--services 1000] [--pods 10000] [--seconds 10] [--clients 4]
//
// Generates bench/out/cluster.yaml and bench/out/queries.txt, starts
// `node dist/cli.js serve` on a free loopback port (pinned to CPU 1 with
// taskset when available), runs dnsperf pinned to CPU 0, and prints
// queries/s, lost queries and latency. Not part of `npm test`.

import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import dgram from 'node:dgram';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { clusterShape, clusterYaml } from './gen-cluster.mjs';
import { queryMix } from './gen-queries.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'bench/out');

const { values } = parseArgs({
  options: {
    services: { type: 'string', default: '1000' },
    pods: { type: 'string', default: '10000' },
    namespaces: { type: 'string', default: '20' },
    seconds: { type: 'string', default: '10' },
    clients: { type: 'string', default: '4' },
    queries: { type: 'string', default: '100000' },
  },
});
const size = { services: Number(values.services), pods: Number(values.pods), namespaces: Number(values.namespaces) };

mkdirSync(out, { recursive: true });
const shape = clusterShape(size);
const clusterFile = path.join(out, 'cluster.yaml');
await writeLines(clusterFile, [...clusterYaml(shape, size.namespaces)].map((doc) => `---\n${doc}`));
const queryFile = path.join(out, 'queries.txt');
await writeLines(queryFile, [...queryMix(shape, Number(values.queries))].map((line) => `${line}\n`));

const hasTaskset = spawnSync('taskset', ['-V']).status === 0;
const pin = (cpu, argv) => (hasTaskset ? ['taskset', ['-c', String(cpu), ...argv]] : [argv[0], argv.slice(1)]);

const port = await freePort();
const [serverCmd, serverArgs] = pin(1, [
  process.execPath, path.join(root, 'dist/cli.js'), 'serve', '-f', clusterFile, '--port', String(port), '--log-level', 'warn', '--upstream', 'none',
  '--pod-cidr', size.pods > 60000 ? '10.128.0.0/9' : '10.244.0.0/16',
]);
const started = Date.now();
const server = spawn(serverCmd, serverArgs, { stdio: ['ignore', 'inherit', 'inherit'] });
try {
  await waitForAnswer(port, `${shape[0].name}.${shape[0].namespace}.svc.cluster.local`);
  const loadSeconds = (Date.now() - started) / 1000;
  const [perfCmd, perfArgs] = pin(0, [
    'dnsperf', '-s', '127.0.0.1', '-p', String(port), '-d', queryFile, '-l', values.seconds, '-c', values.clients, '-q', '200',
  ]);
  const perf = spawnSync(perfCmd, perfArgs, { encoding: 'utf8' });
  if (perf.status !== 0) throw new Error(`dnsperf failed: ${perf.stderr}`);
  const figure = (label) => /[\d.]+/.exec(perf.stdout.split('\n').find((l) => l.includes(label)) ?? '')?.[0];
  const result = {
    date: new Date().toISOString().slice(0, 10),
    services: size.services,
    pods: size.pods,
    loadSeconds: loadSeconds.toFixed(2),
    qps: Math.round(Number(figure('Queries per second'))),
    sent: figure('Queries sent'),
    lost: figure('Queries lost'),
    avgLatencyMs: (Number(figure('Average Latency')) * 1000).toFixed(3),
  };
  const table =
    `| date | services | pods | load+first answer (s) | queries/s | sent | lost | avg latency (ms) |\n` +
    `|---|---|---|---|---|---|---|---|\n` +
    `| ${result.date} | ${result.services} | ${result.pods} | ${result.loadSeconds} | ${result.qps} | ${result.sent} | ${result.lost} | ${result.avgLatencyMs} |\n`;
  writeFileSync(path.join(out, 'results.md'), table);
  process.stdout.write(perf.stdout + '\n' + table);
} finally {
  server.kill('SIGTERM');
}

async function writeLines(file, chunks) {
  const stream = createWriteStream(file);
  for (const chunk of chunks) if (!stream.write(chunk)) await new Promise((r) => stream.once('drain', r));
  await new Promise((r) => stream.end(r));
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
  for (let i = 0; i < 600; i++) {
    const dig = spawnSync('dig', ['@127.0.0.1', '-p', String(port), '+tries=1', '+time=1', '+short', name], { encoding: 'utf8' });
    if (dig.status === 0 && dig.stdout.trim()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the server never answered');
}
