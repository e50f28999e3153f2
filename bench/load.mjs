#!/usr/bin/env node
// Abuse load tests (issue 7 part 2), outside `npm test`: while an attack
// runs, an ordinary client keeps asking, and we count what it gets.
//
//   npm run load -- [--scenario all|idle|flood|loris] [--connections 10000] [--seconds 8] [--flood-rate N]
//                   [--client-timeout 1000] [--client-attempts 2] [--flooder node|dnsperf]
//
// idle:  10,000 TCP connections opened and left idle, from 157 loopback
//        source addresses (64 each: the per-client cap), against the default caps.
// flood: the server's UDP maximum is measured (saturating blast), then a
//        flood at twice that rate runs from another process (127.3.0.1),
//        without --rate-limit, with it (slip 2, the default), with
//        --rate-limit-slip 0, and that with --workers 2. --flood-rate N floods at N q/s instead (skips
//        the measurement): runs on a busy machine are then comparable.
//        Datagrams the kernel dropped at the server's socket are read from
//        `ss -m` (skmem d) and /proc/net/snmp (RcvbufErrors, machine-wide).
//        (`--scenario udp-flood` is the same as `flood`.)
// loris: 500 TCP connections each dripping one byte per second.
// The ordinary client asks one question every 20 ms from 127.0.0.1 over UDP
// the way a pod's glibc resolver with `options timeout:1 attempts:2` does
// (--client-timeout ms, --client-attempts; glibc's own default is 5000 and
// 2), and over TCP.
// Results go to stdout and bench/out/load-results.md.

import { fork, spawn, execSync } from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const NAME = 'kubernetes.default.svc.cluster.local';
/** How the ordinary client retries over UDP (set from the flags). */
const client = { timeoutMs: 1000, attempts: 2 };
/** `node` (our own sender, a child process) or `dnsperf`. */
let flooder = 'node';

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
      'client-timeout': { type: 'string', default: '1000' },
      'client-attempts': { type: 'string', default: '2' },
      flooder: { type: 'string', default: 'node' },
    },
  });
  flooder = values.flooder;
  const seconds = Number(values.seconds);
  client.timeoutMs = Number(values['client-timeout']);
  client.attempts = Number(values['client-attempts']);
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
    `Ordinary UDP client: one question every 20 ms, ${client.attempts} tries of ${client.timeoutMs} ms each (resolv.conf \`options timeout:${client.timeoutMs / 1000} attempts:${client.attempts}\`).`,
    '',
    '| scenario | attack | ordinary UDP: sent / 1st try / within retries / lost | ordinary TCP answered | ordinary p50 / p99 ms | notes |',
    '|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.scenario} | ${r.attack} | ${r.sent} / ${r.udpFirst} / ${r.udp} / ${r.lost} | ${r.tcp} | ${r.p50} / ${r.p99} | ${r.notes} |`),
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
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    warnings += String(chunk).split('\n').filter(Boolean).length;
    stderr = (stderr + chunk).slice(-2000);
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  let ready = false;
  for (let i = 0; i < 100 && !ready && child.exitCode === null; i++) {
    ready = await udpOnce(port, question(1), 100);
    if (!ready) await sleep(50);
  }
  const stop = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    return exited;
  };
  if (!ready) {
    await stop();
    throw new Error(`clusterdns did not start on port ${port}:\n${stderr}`);
  }
  return { port, logLines: () => warnings, stop, cpuSeconds: () => treeCpuSeconds(child.pid) };
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

/** The ordinary client: one UDP (resolver-like retries) and one TCP question every 20 ms for `seconds`. */
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
      while (!ok && tries < client.attempts) { tries++; ok = await udpOnce(port, question(n), client.timeoutMs); }
      const udpMs = performance.now() - t0;
      const tcp = await tcpOnce(port, question(n + 30000), 2000);
      results.push({ ok, first: ok && tries === 1, ms: udpMs, tcp });
    })());
    await sleep(20);
  }
  await Promise.all(pending);
  const ms = results.filter((r) => r.ok).map((r) => r.ms).sort((a, b) => a - b);
  const pct = (q) => (ms.length ? ms[Math.min(ms.length - 1, Math.floor(q * ms.length))].toFixed(1) : '-');
  const count = (f) => results.filter(f).length;
  return {
    sent: results.length, udpFirst: count((r) => r.first), udp: count((r) => r.ok), lost: count((r) => !r.ok),
    tcp: `${count((r) => r.tcp)}/${results.length}`, p50: pct(0.5), p99: pct(0.99),
  };
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
  const limit = ['--rate-limit', '100/s'];
  const variants = [[], limit, [...limit, '--rate-limit-slip', '0'], [...limit, '--rate-limit-slip', '0', '--workers', '2']];
  for (const extra of variants) {
    const server = await startServer(extra);
    const rcvbufBefore = rcvbufErrors();
    const cpuBefore = server.cpuSeconds();
    const attack = flood(server.port, rate, seconds, '127.3.0.1');
    await sleep(200);
    const result = await probe(server.port, seconds - 0.5);
    const done = await attack;
    const cpu = server.cpuSeconds() - cpuBefore;
    const dropped = socketDrops(server.port);
    const rcvbuf = rcvbufErrors() - rcvbufBefore;
    await server.stop();
    // What the server spent per datagram it took off the socket (flood and ordinary alike).
    const read = Math.max(1, done.sent - dropped);
    rows.push({
      scenario: `UDP flood${extra.length ? ` + ${extra.join(' ')}` : ''}`,
      attack: `${Math.round(done.sent / done.seconds)} q/s sent (${fixedRate ? `--flood-rate ${fixedRate}` : `2 × max ${maxRate} q/s`})`, ...result,
      notes: (flooder === 'dnsperf'
        ? `flooder got ${Math.round(done.received / done.seconds)} replies/s (answers and TC replies: dnsperf counts both); `
        : `flooder got ${Math.round((done.received - done.truncated) / done.seconds)} answers/s and ${Math.round(done.truncated / done.seconds)} truncated (TC) replies/s; `)
        + `kernel dropped ${dropped} datagrams at the server's socket (${(dropped / Math.max(1, done.sent) * 100).toFixed(1)} % of the flood; RcvbufErrors +${rcvbuf} machine-wide); `
        + `server CPU ${cpu.toFixed(1)} s, ${((cpu / read) * 1e6).toFixed(1)} µs per datagram read`,
    });
  }
  return rows;
}

/** Datagrams the kernel dropped at the UDP socket bound to `port` (receive queue full): skmem's d field in `ss -m`. */
function socketDrops(port) {
  const text = execSync(`ss -H -u -a -m -n '( sport = :${port} )'`).toString();
  return Number(/\bd(\d+)\)/.exec(text)?.[1] ?? NaN);
}

/** CPU seconds (user + system) of `pid` and its children (the workers of --workers N), from /proc. */
function treeCpuSeconds(pid) {
  const ticks = (id) => {
    try {
      const fields = readFileSync(`/proc/${id}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
      return { ppid: Number(fields[1]), cpu: Number(fields[11]) + Number(fields[12]) };
    } catch {
      return undefined;
    }
  };
  let total = ticks(pid)?.cpu ?? 0;
  for (const id of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    const stat = ticks(id);
    if (stat?.ppid === pid) total += stat.cpu;
  }
  return total / 100; // USER_HZ
}

/** The machine-wide UDP receive-buffer drop counter (other processes on the machine count too). */
function rcvbufErrors() {
  const lines = readFileSync('/proc/net/snmp', 'utf8').split('\n').filter((line) => line.startsWith('Udp:'));
  const [names, values] = lines.map((line) => line.split(/\s+/));
  return Number(values?.[names?.indexOf('RcvbufErrors') ?? -1] ?? NaN);
}

/** The flooder: our own Node sender, or dnsperf (--flooder dnsperf), which needs far less CPU to send. */
function flood(port, rate, seconds, source) {
  if (flooder === 'dnsperf') return dnsperfFlood(port, rate, seconds, source);
  return child(['--flood-child', String(port), String(rate), String(seconds), source]);
}

/**
 * dnsperf as an open-loop flooder: up to 60,000 queries outstanding and a
 * 0.5 s timeout, so queries the server drops do not stop it sending.
 * It does not tell truncated replies from answers (counted as answers).
 */
function dnsperfFlood(port, rate, seconds, source) {
  const file = path.join(root, 'bench/out/flood-query.txt');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${NAME} A\n`);
  return new Promise((resolve, reject) => {
    const args = ['-s', '127.0.0.1', '-p', String(port), '-a', source, '-d', file, '-Q', String(rate), '-q', '60000', '-t', '0.5', '-l', String(seconds)];
    // stderr ignored: dnsperf warns per timed-out query there, and an unread pipe would stall it.
    const run = spawn('dnsperf', args, { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    run.stdout.on('data', (chunk) => (out += chunk));
    run.once('error', reject);
    run.once('exit', () => {
      const number = (label) => Number(new RegExp(`${label}:\\s+(\\d+)`).exec(out)?.[1] ?? 0);
      resolve({ sent: number('Queries sent'), received: number('Queries completed'), truncated: 0, seconds });
    });
  });
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
