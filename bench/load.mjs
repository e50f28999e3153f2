#!/usr/bin/env node
// Abuse load tests (issue 7 part 2), outside `npm test`: while an attack
// runs, an ordinary client keeps asking, and we count what it gets.
//
//   npm run load -- [--scenario all|idle|flood|loris] [--connections 10000] [--seconds 8] [--flood-rate N]
//
// idle:  10,000 TCP connections opened and left idle, from 157 loopback
//        source addresses (64 each: the per-client cap), against the default caps.
// flood: the server's UDP maximum is measured (saturating blast), then a
//        flood at twice that rate runs from another process, without and with
//        --rate-limit. --flood-rate N floods at N q/s instead (skips the
//        measurement): runs on a busy machine are then comparable.
//        (`--scenario udp-flood` is the same as `flood`.)
// loris: 500 TCP connections each dripping one byte per second.
// The ordinary client asks over UDP (3 tries, 300 ms apart, like a stub
// resolver) and over TCP, one question every 20 ms, from 127.0.0.1.
// Results go to stdout and bench/out/load-results.md.

import { fork, spawn, execSync } from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const NAME = 'kubernetes.default.svc.cluster.local';

function question(id, name = NAME) {
  const labels = name.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)]));
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id & 0xffff, 0);
  header[2] = 1; // RD
  header.writeUInt16BE(1, 4);
  return Buffer.concat([header, ...labels, Buffer.from([0, 0, 1, 0, 1])]);
}
const frame = (m) => Buffer.concat([Buffer.from([m.length >> 8, m.length & 255]), m]);

// ---- the flooder, run as a child process so the prober keeps its own event loop
if (process.argv[2] === '--flood-child') {
  const [port, rate, seconds, source] = process.argv.slice(3).map((v, i) => (i === 3 ? v : Number(v)));
  const socket = dgram.createSocket('udp4');
  socket.bind(0, source, () => {
    let sent = 0;
    let received = 0;
    let truncated = 0;
    socket.on('message', (reply) => {
      received++;
      if ((reply[2] & 0x02) !== 0) truncated++;
    });
    const packets = Array.from({ length: 256 }, (_, i) => question(i));
    const started = performance.now();
    const tick = setInterval(() => {
      const due = Math.floor(((performance.now() - started) / 1000) * rate) - sent;
      for (let i = 0; i < due; i++) socket.send(packets[(sent + i) & 255], port, '127.0.0.1');
      sent += due;
    }, 2);
    setTimeout(() => {
      clearInterval(tick);
      setTimeout(() => {
        process.send({ sent, received, truncated, seconds: (performance.now() - started) / 1000 });
        socket.close();
        process.exit(0);
      }, 300);
    }, seconds * 1000);
  });
} else if (process.argv[2] === '--max-child') {
  // Closed loop: keep WINDOW questions outstanding, count answers per second.
  const [port, seconds, source] = process.argv.slice(3).map((v, i) => (i === 2 ? v : Number(v)));
  const WINDOW = 200;
  const socket = dgram.createSocket('udp4');
  socket.bind(0, source, () => {
    let received = 0;
    let id = 0;
    const send = () => socket.send(question(id++), port, '127.0.0.1');
    socket.on('message', () => { received++; send(); });
    const started = performance.now();
    for (let i = 0; i < WINDOW; i++) send();
    // Top up what the server dropped.
    const topUp = setInterval(() => { for (let i = 0; i < WINDOW / 4; i++) send(); }, 100);
    setTimeout(() => {
      clearInterval(topUp);
      process.send({ received, seconds: (performance.now() - started) / 1000 });
      socket.close();
      process.exit(0);
    }, seconds * 1000);
  });
} else {
  await main();
}

async function main() {
  const { values } = parseArgs({
    options: {
      scenario: { type: 'string', default: 'all' },
      connections: { type: 'string', default: '10000' },
      seconds: { type: 'string', default: '8' },
      'flood-rate': { type: 'string' },
    },
  });
  const seconds = Number(values.seconds);
  const only = values.scenario === 'udp-flood' ? 'flood' : values.scenario;
  const rows = [];
  const started = new Date().toISOString();
  if (only === 'all' || only === 'idle') rows.push(await idleScenario(Number(values.connections), seconds));
  if (only === 'all' || only === 'loris') rows.push(await lorisScenario(500, seconds));
  if (only === 'all' || only === 'flood') rows.push(...(await floodScenarios(seconds, Number(values['flood-rate'] ?? 0))));
  const load = execSync('uptime').toString().trim();
  const command = `npm run load -- ${process.argv.slice(2).join(' ')}`.trim();
  const table = [
    `Run ${started} — \`${command}\` — \`uptime\`: ${load}`,
    '',
    '| scenario | attack | ordinary UDP answered (1st try / within 3 tries) | ordinary TCP answered | ordinary p50 / p99 ms | notes |',
    '|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.scenario} | ${r.attack} | ${r.udpFirst} / ${r.udp} | ${r.tcp} | ${r.p50} / ${r.p99} | ${r.notes} |`),
  ].join('\n');
  console.log(table);
  mkdirSync(path.join(root, 'bench/out'), { recursive: true });
  writeFileSync(path.join(root, 'bench/out/load-results.md'), `${table}\n`);
}

async function startServer(extra = []) {
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(root, 'dist/cli.js'), 'serve', '-f', path.join(root, 'test/fixtures/e2e'),
    '--port', String(port), '--upstream', 'none', '--log-level', 'warn', ...extra], { stdio: ['ignore', 'ignore', 'pipe'] });
  let warnings = 0;
  child.stderr.on('data', (chunk) => (warnings += String(chunk).split('\n').filter(Boolean).length));
  for (let i = 0; i < 100; i++) {
    if (await udpOnce(port, question(1), 100)) break;
    await sleep(50);
  }
  return {
    port,
    logLines: () => warnings,
    stop: () => new Promise((resolve) => { child.once('exit', resolve); child.kill('SIGTERM'); }),
  };
}

function udpOnce(port, message, timeoutMs, source = '127.0.0.1') {
  return new Promise((resolve) => {
    const socket = dgram.createSocket('udp4');
    const timer = setTimeout(() => { socket.close(); resolve(false); }, timeoutMs);
    socket.on('message', (reply) => {
      if (reply.readUInt16BE(0) !== message.readUInt16BE(0) || (reply[2] & 0x02) !== 0) return;
      clearTimeout(timer);
      socket.close();
      resolve(true);
    });
    socket.bind(0, source, () => socket.send(message, port, '127.0.0.1'));
  });
}

function tcpOnce(port, message, timeoutMs) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let buffered = Buffer.alloc(0);
    const done = (ok) => { clearTimeout(timer); socket.destroy(); resolve(ok); };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write(frame(message)));
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length >= 2 + buffered.readUInt16BE(0)) done(true);
    });
  });
}

/** The ordinary client: one UDP (3 tries) and one TCP question every 20 ms for `seconds`. */
async function probe(port, seconds) {
  const results = [];
  const until = performance.now() + seconds * 1000;
  let id = 1000;
  const pending = [];
  while (performance.now() < until) {
    const n = id++;
    pending.push((async () => {
      const t0 = performance.now();
      let tries = 0;
      let ok = false;
      while (!ok && tries < 3) { tries++; ok = await udpOnce(port, question(n), 300); }
      const udpMs = performance.now() - t0;
      const tcp = await tcpOnce(port, question(n + 30000), 2000);
      results.push({ ok, first: ok && tries === 1, ms: udpMs, tcp });
    })());
    await sleep(20);
  }
  await Promise.all(pending);
  const ms = results.filter((r) => r.ok).map((r) => r.ms).sort((a, b) => a - b);
  const pct = (q) => (ms.length ? ms[Math.min(ms.length - 1, Math.floor(q * ms.length))].toFixed(1) : '-');
  const count = (f) => `${results.filter(f).length}/${results.length}`;
  return { udpFirst: count((r) => r.first), udp: count((r) => r.ok), tcp: count((r) => r.tcp), p50: pct(0.5), p99: pct(0.99) };
}

async function idleScenario(total, seconds) {
  const server = await startServer();
  const sockets = [];
  let connected = 0;
  let closedByServer = 0;
  let failed = 0;
  const opening = [];
  for (let i = 0; i < total; i++) {
    const source = `127.1.${Math.floor(i / 64) >> 8}.${Math.floor(i / 64) & 255}`;
    opening.push(new Promise((resolve) => {
      const socket = net.connect({ port: server.port, host: '127.0.0.1', localAddress: source });
      socket.on('connect', () => { connected++; resolve(); });
      socket.on('error', () => { failed++; resolve(); });
      socket.on('close', () => closedByServer++);
      sockets.push(socket);
    }));
    if (i % 500 === 499) await sleep(10);
  }
  await Promise.all(opening);
  await sleep(500);
  const heldAfterOpening = established(server.port);
  const result = await probe(server.port, seconds);
  const closedSoFar = closedByServer;
  // What the kernel says the server side holds (accepted or still in the accept queue).
  const serverSide = established(server.port);
  for (const socket of sockets) socket.destroy();
  const logLines = server.logLines();
  await server.stop();
  return {
    scenario: 'idle TCP', attack: `${total} connections opened (${connected} connected, ${failed} failed)`, ...result,
    notes: `server side held ${heldAfterOpening} once all were opened; ${serverSide} after ${seconds} s (cap 1000, idle timeout 5 s); ${closedSoFar} closed by the server; ${logLines} warning lines logged`,
  };
}

async function lorisScenario(count, seconds) {
  const server = await startServer();
  const sockets = [];
  const lifetimes = [];
  for (let i = 0; i < count; i++) {
    const socket = net.connect({ port: server.port, host: '127.0.0.1', localAddress: `127.2.0.${1 + (i % 50)}` });
    const opened = performance.now();
    socket.on('error', () => undefined);
    socket.on('close', () => lifetimes.push(performance.now() - opened));
    sockets.push(socket);
  }
  const bytes = frame(question(7));
  let at = 0;
  const drip = setInterval(() => {
    for (const socket of sockets) if (!socket.destroyed) socket.write(bytes.subarray(at % bytes.length, (at % bytes.length) + 1));
    at++;
  }, 1000);
  const result = await probe(server.port, seconds);
  clearInterval(drip);
  const open = sockets.filter((s) => !s.destroyed).length;
  for (const socket of sockets) socket.destroy();
  await server.stop();
  lifetimes.sort((a, b) => a - b);
  const median = lifetimes.length ? (lifetimes[Math.floor(lifetimes.length / 2)] / 1000).toFixed(1) : '-';
  return {
    scenario: 'slow-loris', attack: `${count} connections, 1 byte/s each`, ...result,
    notes: `${count - open} cut by the server within ${seconds} s (median lifetime ${median} s); ${open} still open`,
  };
}

async function floodScenarios(seconds, fixedRate) {
  const rows = [];
  // The maximum: a saturating blast, counting answers per second.
  let maxRate = 0;
  if (!fixedRate) {
    const measure = await startServer();
    const max = await child(['--max-child', String(measure.port), '3', '127.3.0.1']);
    await measure.stop();
    maxRate = Math.round(max.received / max.seconds);
  }
  const rate = fixedRate || maxRate * 2;
  for (const extra of [[], ['--rate-limit', '100/s']]) {
    const server = await startServer(extra);
    const attack = flood(server.port, rate, seconds, '127.3.0.1');
    await sleep(200);
    const result = await probe(server.port, seconds - 0.5);
    const done = await attack;
    await server.stop();
    rows.push({
      scenario: `UDP flood${extra.length ? ' + --rate-limit 100/s' : ''}`,
      attack: `${Math.round(done.sent / done.seconds)} q/s sent (${fixedRate ? `--flood-rate ${fixedRate}` : `2 × max ${maxRate} q/s`})`, ...result,
      notes: `flooder got ${Math.round((done.received - done.truncated) / done.seconds)} answers/s and ${Math.round(done.truncated / done.seconds)} truncated (TC) replies/s`,
    });
  }
  return rows;
}

function flood(port, rate, seconds, source) {
  return child(['--flood-child', String(port), String(rate), String(seconds), source]);
}

function child(args) {
  return new Promise((resolve) => fork(fileURLToPath(import.meta.url), args).once('message', resolve));
}

/** Connections the server side of `port` holds (accepted, or queued for accept), per the kernel. */
function established(port) {
  return Number(execSync(`ss -Htn state established '( sport = :${port} )' | wc -l`).toString().trim());
}

function freePort() {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}
