#!/usr/bin/env node
// Stall probe (issue 19 item 2): does any query wait while the cluster changes?
//
//   node bench/stall-probe.mjs [--services 10000] [--pods 150000] [--namespaces 50] [--edits 5] [--json]
//                              [--node-flags='--cpu-prof --cpu-prof-dir=DIR --trace-gc'] [--server-out FILE]
//                              [--serve-flags='--log-level info'] [--server-cpus 1] [--fresh-names]
//
// Starts `serve --watch --http` on a generated cluster (split into files of
// 5,000 documents), then a client in this process sends 1,000 A queries/s
// over UDP for an existing service (round-robin over a few names) while:
// 5 edits each append one small Service to a watched file (3 s apart), then
// one /v1/apply of a Service, one /v1/scale of a StatefulSet and one
// /v1/reset (the applied Service goes again). Reports the
// max and p99 latency of the queries sent during the changes (and per kind
// of change: the queries sent from its write or call until 1 s after it
// answered), any query
// unanswered after 2 s (counted as lost), and for each change the time from
// the write (or the API call) to the first answer for its name, polled by the
// same client every 10 ms. The control API runs with a token, as it would
// off loopback. --node-flags start the server under node flags (a CPU
// profile, GC tracing); --server-out keeps its stdout. Targets: max < 50 ms, p99 < 5 ms, each change
// answered < 1 s. The server runs on CPU 1 (--server-cpus: another list, as
// taskset -c takes it; 0,1 lets V8's collector and compiler threads run beside
// the answering thread), this client on CPU 0. --fresh-names asks a name
// never asked before with every query (`fresh-N.` before a service's name:
// NXDOMAIN), the case the server's stand-in (docs/reload-latency.md) cannot
// answer: each waits for the event loop, as every query did before it.

import { appendFileSync, openSync, writeFileSync } from 'node:fs';
import dgram from 'node:dgram';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { clusterShape, writeClusterFiles } from './gen-cluster.mjs';
import { cpuSeconds, freePort, loadAverage, out, serveArgs, start, stop, waitForAnswer } from './lib.mjs';

const RATE = 1000;
const EDIT_GAP_MS = 3000;
const LOST_AFTER_MS = 2000;

const service = (name) => `---\napiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\n  namespace: ns-000\nspec:\n  ports:\n    - name: http\n      port: 80\n`;

/** One run; `size` as gen-cluster takes it. */
export async function stallProbe(size, zone = 'cluster.local', edits = 5, options = {}) {
  const dir = path.join(out, `stall-${size.pods}`);
  await writeClusterFiles(dir, size);
  const shape = clusterShape(size);
  const editFile = path.join(dir, 'edit.yaml');
  writeFileSync(editFile, service('stall-0'));
  const [port, http] = [await freePort(), await freePort()];
  const podCidr = size.pods > 60000 ? '10.128.0.0/9' : '10.244.0.0/16';
  const token = 'stall-probe-token';
  const argv = serveArgs(dir, port, ['--watch', '--pod-cidr', podCidr, '--http', `127.0.0.1:${http}`, '--http-token', token]);
  argv.splice(1, 0, ...(options.nodeFlags ?? []));
  argv.push(...(options.serveFlags ?? []));
  const stdout = options.serverOut ? openSync(options.serverOut, 'w') : 'ignore';
  const server = start(options.serverCpus ?? 1, argv, { spawn: { stdio: ['ignore', stdout, 'inherit'] } });
  const client = await udpClient(port);
  try {
    const names = shape.slice(0, 8).map((app) => `${app.name}.${app.namespace}.svc.${zone}`);
    await waitForAnswer(port, names[0], 300, server);
    await sleep(2500); // the watcher settles, the pods are readied for reuse
    // This process's first fetch loads and compiles its HTTP client: 20-40 ms in which the
    // query stream below could neither send nor read, charged to the first API call's queries.
    await fetch(`http://127.0.0.1:${http}/health`).then((response) => response.text());
    const loadBefore = loadAverage();
    const load = client.steady(names, options.freshNames === true);
    await sleep(1000);
    const changes = [];
    /** Time one change: from `begin` (performance.now()) until `name` answers. */
    const timed = async (change, name, act, present = true) => {
      const [from, cpuBefore] = [performance.now(), cpuSeconds(server.pid)];
      await act();
      const seconds = await client.until(name, from, present);
      await sleep(EDIT_GAP_MS);
      // The server's CPU from the change until the next (the diff after the swap, and 3 s of answering 1,000 q/s, included).
      const cpuMs = (cpuSeconds(server.pid) - cpuBefore) * 1000;
      changes.push({ change, seconds, cpuMs, from, to: from + seconds * 1000 + 1000 });
    };
    for (let i = 1; i <= edits; i++) {
      await timed(`edit ${i}`, `stall-${i}.ns-000.svc.${zone}`, () => appendFileSync(editFile, service(`stall-${i}`)));
    }
    const api = (route, type, body) => () => post(http, token, route, type, body);
    await timed('apply', `stall-api.ns-000.svc.${zone}`, api('/v1/apply', 'application/yaml', service('stall-api')));
    const app = shape.find((a) => a.kind === 'StatefulSet');
    const scale = { kind: app.kind, namespace: app.namespace, name: app.name, replicas: app.replicas + 1 };
    await timed('scale', `${app.name}-${app.replicas}.${app.name}-hl.${app.namespace}.svc.${zone}`, api('/v1/scale', 'application/json', JSON.stringify(scale)));
    // Back to what the files say: the applied Service goes.
    await timed('reset', `stall-api.ns-000.svc.${zone}`, api('/v1/reset', 'application/json', '{}'), false);
    const latency = await load.stop();
    const during = (kind) => latency.within(changes.filter((c) => c.change.startsWith(kind)));
    const byKind = { edits: during('edit'), applies: during('apply'), scales: during('scale'), resets: during('reset') };
    return { ...size, rate: RATE, load: `${loadBefore} -> ${loadAverage()}`, ...latency.all, byKind, changes: changes.map(({ change, seconds, cpuMs }) => ({ change, seconds, cpuMs })) };
  } finally {
    client.close();
    await stop(server);
  }
}

/** A UDP client: a steady query stream with per-query latency, and a poll for a new name. */
async function udpClient(port) {
  const socket = dgram.createSocket('udp4');
  await new Promise((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const pending = new Map(); // id -> { sent, onAnswer }
  let nextId = 1;
  socket.on('message', (message) => {
    const id = message.readUInt16BE(0);
    const waiting = pending.get(id);
    if (!waiting) return;
    pending.delete(id);
    waiting.onAnswer(performance.now() - waiting.sent, message.readUInt16BE(6));
  });
  const ask = (name, onAnswer) => {
    const id = nextId;
    nextId = (nextId % 65535) + 1;
    pending.set(id, { sent: performance.now(), onAnswer });
    socket.send(queryPacket(id, name), port, '127.0.0.1');
    return id;
  };
  return {
    steady(names, fresh = false) {
      const latencies = [];
      const samples = []; // [sent at (performance.now()), latency ms]
      const slow = []; // when each query over 50 ms was sent (ms after the start)
      let lost = 0;
      let sent = 0;
      const started = performance.now();
      // A timer per millisecond drifts under load: each tick sends what the clock says is due.
      const timer = setInterval(() => {
        const due = Math.floor(((performance.now() - started) * RATE) / 1000);
        for (; sent < due; sent++) {
          const id = ask(fresh ? `fresh-${sent}.${names[sent % names.length]}` : names[sent % names.length], (ms) => {
            latencies.push(ms);
            samples.push([performance.now() - ms, ms]);
            if (ms > 50) slow.push(Math.round(performance.now() - ms - started));
          });
          setTimeout(() => {
            if (pending.get(id)) {
              pending.delete(id);
              lost++;
            }
          }, LOST_AFTER_MS).unref();
        }
      }, 1);
      return {
        async stop() {
          clearInterval(timer);
          await sleep(LOST_AFTER_MS + 100);
          return {
            all: { sent, answered: latencies.length, lost, ...summary(latencies), slowSentAtMs: slow },
            /** The queries sent within any of `spans` ({ from, to } in performance.now() time). */
            within: (spans) => summary(samples.filter(([at]) => spans.some((s) => at >= s.from && at <= s.to)).map(([, ms]) => ms)),
          };
        },
      };
    },
    /** Seconds from `since` (performance.now()) until `name` answers with a record (`present`) or without one. */
    async until(name, since, present = true, limitMs = 30000) {
      while (performance.now() - since < limitMs) {
        const answered = await new Promise((resolve) => {
          const id = ask(name, (_ms, answers) => resolve(answers > 0 === present));
          setTimeout(() => {
            if (pending.delete(id)) resolve(false);
          }, 500).unref();
        });
        if (answered) return (performance.now() - since) / 1000;
        await sleep(10);
      }
      return NaN;
    },
    close: () => socket.close(),
  };
}

function summary(latencies) {
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { queries: sorted.length, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: sorted.at(-1), over5ms: sorted.filter((ms) => ms > 5).length, over50ms: sorted.filter((ms) => ms > 50).length };
}

function queryPacket(id, name) {
  const labels = name.split('.').filter(Boolean);
  const packet = Buffer.alloc(12 + labels.reduce((n, label) => n + 1 + label.length, 0) + 1 + 4);
  packet.writeUInt16BE(id, 0);
  packet.writeUInt16BE(0x0100, 2); // RD
  packet.writeUInt16BE(1, 4); // one question
  let offset = 12;
  for (const label of labels) {
    packet[offset++] = label.length;
    offset += packet.write(label, offset, 'ascii');
  }
  packet[offset++] = 0;
  packet.writeUInt16BE(1, offset); // A
  packet.writeUInt16BE(1, offset + 2); // IN
  return packet;
}

async function post(port, token, route, type, body) {
  const headers = { 'content-type': type, authorization: `Bearer ${token}` };
  const response = await fetch(`http://127.0.0.1:${port}${route}`, { method: 'POST', headers, body });
  if (!response.ok) throw new Error(`${route}: ${response.status} ${await response.text()}`);
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Markdown rows for run.mjs and the command line. */
export function stallReport(result) {
  const fmt = (n, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : '—');
  const lines = [
    `${result.services} services, ${result.pods} pods; ${result.rate} q/s during ${result.changes.length} changes: ` +
      `${result.sent} sent, ${result.lost} lost, ${result.over5ms} over 5 ms, p50 ${fmt(result.p50Ms, 2)} ms, p99 ${fmt(result.p99Ms, 2)} ms, max ${fmt(result.maxMs)} ms, ${result.over50ms} over 50 ms ` +
      `(machine load average ${result.load})`,
    '',
    '| queries sent during (each change until 1 s after it answered) | queries | p99 | max | over 5 ms | over 50 ms |',
    '|---|---|---|---|---|---|',
    ...Object.entries(result.byKind).map(([kind, s]) => `| ${kind} | ${s.queries} | ${fmt(s.p99Ms, 2)} ms | ${fmt(s.maxMs)} ms | ${s.over5ms} | ${s.over50ms} |`),
    '',
    '| change | write → answer (s) | server CPU until the next change (ms) |',
    '|---|---|---|',
    ...result.changes.map((c) => `| ${c.change} | ${fmt(c.seconds, 2)} | ${fmt(c.cpuMs, 0)} |`),
    '',
    'Targets: max < 50 ms, p99 < 5 ms, each change answered < 1 s.',
  ];
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      services: { type: 'string', default: '10000' },
      pods: { type: 'string', default: '150000' },
      namespaces: { type: 'string', default: '50' },
      edits: { type: 'string', default: '5' },
      json: { type: 'boolean', default: false },
      'node-flags': { type: 'string', default: '' },
      'server-out': { type: 'string' },
      'serve-flags': { type: 'string', default: '' },
      'server-cpus': { type: 'string', default: '1' },
      'fresh-names': { type: 'boolean', default: false },
    },
  });
  const size = { services: Number(values.services), pods: Number(values.pods), namespaces: Number(values.namespaces) };
  const nodeFlags = values['node-flags'].split(' ').filter(Boolean);
  const serveFlags = values['serve-flags'].split(' ').filter(Boolean);
  const result = await stallProbe(size, 'cluster.local', Number(values.edits), { nodeFlags, serveFlags, serverOut: values['server-out'], serverCpus: values['server-cpus'], freshNames: values['fresh-names'] });
  process.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : `${stallReport(result)}\n`);
  process.exit(0);
}
