// Shared pieces of the benchmark runners: pinned processes, free ports,
// dnsperf runs and their figures, dnsmasq command lines.

import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import dgram from 'node:dgram';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const out = path.join(root, 'bench/out');
export const cli = path.join(root, 'dist/cli.js');

const hasTaskset = spawnSync('taskset', ['-V']).status === 0;
/** dnsperf runs on CPU 0, servers on CPU 1 (both CPUs with --workers 2). */
export function pinned(cpus, argv) {
  return hasTaskset ? ['taskset', ['-c', String(cpus), ...argv]] : [argv[0], argv.slice(1)];
}

/**
 * Pin every thread a running process has now to `cpus`. taskset at start
 * pins a process, but a server may move its own threads afterwards: knotd
 * pins UDP worker i to CPU i mod cores, which put its one worker on CPU 0,
 * dnsperf's core, while clusterdns ran on CPU 1 (issue 19).
 */
export function pinThreads(pid, cpus) {
  if (!hasTaskset) return;
  const result = spawnSync('taskset', ['-a', '-p', '-c', String(cpus), String(pid)], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`taskset -a -p ${cpus} ${pid} failed: ${result.stderr}`);
}

const children = new Set();
/** Start a pinned child; every child is killed by stopAll() (and on exit). */
export function start(cpus, argv, options = {}) {
  const [cmd, args] = pinned(cpus, argv);
  const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', options.stderr ?? 'inherit'], ...options.spawn });
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

export async function stop(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

export async function stopAll() {
  await Promise.all([...children].map(stop));
}
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/** clusterdns serve on loopback, never forwarding off the machine. */
export function serveArgs(file, port, extra = []) {
  const upstream = extra.includes('--upstream') ? [] : ['--upstream', 'none'];
  return [process.execPath, cli, 'serve', '-f', file, '--bind', '127.0.0.1', '--port', String(port), '--log-level', 'warn', ...upstream, ...extra];
}

export function dnsmasqArgs(port, extra) {
  return [
    'dnsmasq', '--keep-in-foreground', '--user=root', `--port=${port}`, '--listen-address=127.0.0.1', '--bind-interfaces',
    '--no-resolv', '--no-hosts', '--conf-file=/dev/null', '--pid-file=', ...extra,
  ];
}

export function freePort() {
  return new Promise((resolve) => {
    const socket = dgram.createSocket('udp4');
    socket.bind(0, '127.0.0.1', () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}

/** Resolves once `name` gets an answer with at least `records` records; the time it took, in seconds. */
export async function waitForAnswer(port, name, limitSeconds = 120, child = undefined, records = 1) {
  const started = Date.now();
  while (Date.now() - started < limitSeconds * 1000) {
    if (child && (child.exitCode !== null || child.signalCode !== null)) throw new Error(`the server on port ${port} exited (${child.exitCode ?? child.signalCode})`);
    const dig = spawnSync('dig', ['@127.0.0.1', '-p', String(port), '+tries=1', '+time=1', '+short', name], { encoding: 'utf8' });
    if (dig.status === 0 && dig.stdout.trim() && dig.stdout.trim().split('\n').length >= records) return (Date.now() - started) / 1000;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no answer for ${name} on port ${port} within ${limitSeconds} s`);
}

/**
 * One dnsperf run pinned to CPU 0. `rate` caps queries/s (-Q) and turns on
 * per-query output for p50/p99; without it only the average is known.
 * `server` (a child from start()) adds its CPU time over the run divided by
 * the answers, in µs (`cpuUs`): q/s is bounded by dnsperf's own core here,
 * CPU per answer is what tells servers apart (issue 19). `mode` 'tcp' runs
 * dnsperf -m tcp.
 */
export function dnsperf(port, queryFile, { seconds = 10, clients = 4, outstanding = 200, rate, edns = false, cpus = 0, server, mode = 'udp' } = {}) {
  const argv = ['dnsperf', '-s', '127.0.0.1', '-p', String(port), '-d', queryFile, '-l', String(seconds), '-c', String(clients), '-q', String(outstanding)];
  if (edns) argv.push('-e');
  if (mode !== 'udp') argv.push('-m', mode);
  if (rate) argv.push('-Q', String(rate), '-v');
  const [cmd, args] = pinned(cpus, argv);
  const cpuBefore = server ? cpuSeconds(server.pid) : 0;
  const result = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 30 });
  const cpuAfter = server ? cpuSeconds(server.pid) : 0;
  if (result.status !== 0) throw new Error(`dnsperf failed: ${result.stderr}`);
  const figure = (label) => Number(/[\d.]+/.exec(result.stdout.split('\n').find((l) => l.includes(label)) ?? '')?.[0]);
  const run = {
    qps: Math.round(figure('Queries per second')),
    sent: figure('Queries sent'),
    lost: figure('Queries lost'),
    avgMs: figure('Average Latency') * 1000,
  };
  run.answered = figure('Queries completed');
  if (server) run.cpuUs = ((cpuAfter - cpuBefore) * 1e6) / run.answered;
  if (rate) {
    const latencies = [];
    for (const line of result.stdout.split('\n')) {
      if (!line.startsWith('> ')) continue;
      const value = Number(line.slice(line.lastIndexOf(' ') + 1));
      if (Number.isFinite(value)) latencies.push(value * 1000);
    }
    latencies.sort((a, b) => a - b);
    run.p50Ms = percentile(latencies, 0.5);
    run.p99Ms = percentile(latencies, 0.99);
  }
  return run;
}

function percentile(sorted, q) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

export async function writeLines(file, lines) {
  const stream = createWriteStream(file);
  for (const line of lines) if (!stream.write(`${line}\n`)) await new Promise((r) => stream.once('drain', r));
  await new Promise((r) => stream.end(r));
}

/** Resident set size of a process, in MB (Linux /proc). */
export function rssMB(pid) {
  return statusMB(pid, 'VmRSS');
}

/** The most RSS the process ever had (the kernel's high-water mark). */
export function peakRssMB(pid) {
  return statusMB(pid, 'VmHWM');
}

function statusMB(pid, field) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN) / 1024;
}

/** CPU time (user + system, all threads) a process has used so far, in seconds (Linux /proc; clock ticks of 10 ms). */
export function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}
const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;

export function loadAverage() {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

export const fixed = (value, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : '—');
