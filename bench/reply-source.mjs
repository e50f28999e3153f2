#!/usr/bin/env node
// What choosing each UDP reply's source address costs the batched reader
// (issue 15, item 3: IP_PKTINFO on a wildcard-bound socket), without dnsperf:
//
//   node bench/reply-source.mjs [--seconds 5] [--rounds 2] [--before DIR]
//
// Serves manifests/ with --udp-io batch on --bind 127.0.0.1 (one address: no
// control messages) and --bind 0.0.0.0 (every datagram's destination read,
// every reply sent with IP_PKTINFO), from this checkout and, with --before,
// from another built checkout (dist/ and build/ of the commit to compare).
// The client is bench/udp-blast.c (built here with cc: 512 questions
// outstanding, sendmmsg/recvmmsg, so the server reads full batches), or a
// closed loop in Node without a C compiler, on CPU 0; the server on CPU 1.
// The figure to compare is the server's CPU time per answer (utime + stime
// from /proc), steadier than answers per second on a shared machine. Runs
// alternate (A B A B) and the best of each is kept. Prints Markdown.

import { spawn, spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { freePort, out, pinned, root, stop, stopAll, waitForAnswer } from './lib.mjs';

const NAME = 'kubernetes.default.svc.cluster.local';
const WINDOW = 256;

function question(id) {
  const labels = NAME.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)]));
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id & 0xffff, 0);
  header[2] = 1;
  header.writeUInt16BE(1, 4);
  return Buffer.concat([header, ...labels, Buffer.from([0, 0, 1, 0, 1])]);
}

/** Closed loop: every answer sends the next question; prints answers and seconds as JSON. */
async function client(port, seconds) {
  const socket = dgram.createSocket('udp4');
  await new Promise((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const packets = Array.from({ length: 1024 }, (_, i) => question(i));
  let sent = 0;
  let received = 0;
  const send = () => socket.send(packets[sent++ & 1023], port, '127.0.0.1');
  socket.on('message', () => {
    received++;
    send();
  });
  const started = performance.now();
  for (let i = 0; i < WINDOW; i++) send();
  // Top up what was lost, so the loop never starves.
  const topUp = setInterval(() => {
    for (let i = 0; i < WINDOW / 8; i++) send();
  }, 100);
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  clearInterval(topUp);
  process.stdout.write(`${JSON.stringify({ received, seconds: (performance.now() - started) / 1000 })}\n`);
  socket.close();
}

/** utime + stime of a process, in seconds. */
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // USER_HZ is 100 on Linux
}

async function measure(checkout, bind, seconds) {
  const port = await freePort();
  const argv = [process.execPath, path.join(checkout, 'dist/cli.js'), 'serve', '-f', path.join(root, 'manifests'), '--bind', bind, '--port', String(port),
    '--udp-io', 'batch', '--upstream', 'none', '--log-level', 'error'];
  const [cmd, args] = pinned(1, argv);
  const server = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  try {
    await waitForAnswer(port, NAME, 60, server);
    const cpuBefore = cpuSeconds(server.pid);
    const [ccmd, cargs] = pinned(0, blaster ? [blaster, String(port), String(seconds)] : [process.execPath, path.join(root, 'bench/reply-source.mjs'), '--client', String(port), String(seconds)]);
    const result = spawnSync(ccmd, cargs, { encoding: 'utf8' });
    const cpu = cpuSeconds(server.pid) - cpuBefore;
    const { received, seconds: elapsed } = JSON.parse(result.stdout);
    return { qps: Math.round(received / elapsed), cpuUsPerAnswer: (cpu * 1e6) / received };
  } finally {
    await stop(server);
  }
}

/** bench/udp-blast.c built into bench/out, or undefined without a C compiler. */
function buildBlaster() {
  const binary = path.join(out, 'udp-blast');
  mkdirSync(out, { recursive: true });
  const built = spawnSync('cc', ['-O2', '-o', binary, path.join(root, 'bench/udp-blast.c')], { stdio: 'inherit' });
  return built.status === 0 ? binary : undefined;
}

let blaster;

async function main() {
  blaster = buildBlaster();
  console.log(`client: ${blaster ? 'bench/udp-blast.c' : 'Node closed loop (no cc)'}`);
  const { values } = parseArgs({
    options: { seconds: { type: 'string', default: '5' }, rounds: { type: 'string', default: '2' }, before: { type: 'string' } },
  });
  const seconds = Number(values.seconds);
  const checkouts = [...(values.before ? [['before', path.resolve(values.before)]] : []), ['after', root]];
  const rows = [];
  try {
    for (const bind of ['127.0.0.1', '0.0.0.0']) {
      const best = new Map();
      for (let round = 0; round < Number(values.rounds); round++) {
        for (const [label, checkout] of checkouts) {
          const run = await measure(checkout, bind, seconds);
          rows.push({ label, bind, ...run });
          const kept = best.get(label);
          if (!kept || run.cpuUsPerAnswer < kept.cpuUsPerAnswer) best.set(label, run);
        }
      }
      for (const [label, run] of best) rows.push({ label: `best ${label}`, bind, ...run });
    }
  } finally {
    await stopAll();
  }
  console.log('| checkout | --bind | answers/s | server CPU per answer (µs) |');
  console.log('|---|---|---|---|');
  for (const row of rows) console.log(`| ${row.label} | ${row.bind} | ${row.qps} | ${row.cpuUsPerAnswer.toFixed(2)} |`);
}

if (process.argv[2] === '--client') {
  const [port, seconds] = process.argv.slice(3).map(Number);
  await client(port, seconds);
} else {
  await main();
}
