// While a change is built, the native stand-in answers (issue 19 item 2):
// a real server and LiveCluster, wired as `serve` wires them, and a real
// UDP client on a thread of its own that keeps asking a name it asked
// before. Each pause of the build holds the event loop for a while, as a
// long slice or a collector pause would; the client's replies to the
// queries it sent during a hold arrive before that hold ends (the stand-in's
// thread answered them, not the held loop). After the swap the new name
// answers, and answering returns to the event loop.

import { Resolver } from 'node:dns/promises';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/app/index.js';
import { LiveCluster } from '../../src/live/index.js';
import { silentLogger } from '../../src/log.js';
import { serveManifestText } from '../helpers/live.js';
import { nativeAddon } from '../../src/native/addon.js';

const FILES = Array.from({ length: 2000 }, (_, i) => `---\napiVersion: v1\nkind: Service\nmetadata: {name: s${i}}\nspec: {ports: [{port: 80}]}\n`).join('');
const HOLD_MS = 150;

/** A client thread: asks `name` (A) every 2 ms until told to stop; posts [sentAt, repliedAt] (epoch ms) per reply. */
const CLIENT = `
const { parentPort, workerData } = require('node:worker_threads');
const dgram = require('node:dgram');
const socket = dgram.createSocket('udp4');
const labels = workerData.name.split('.');
const sent = new Map();
const times = [];
let id = 0;
socket.on('message', (m) => {
  const at = sent.get(m.readUInt16BE(0));
  if (at !== undefined) times.push([at, performance.timeOrigin + performance.now()]);
});
const timer = setInterval(() => {
  const packet = Buffer.alloc(12 + labels.reduce((n, l) => n + 1 + l.length, 0) + 5);
  id = (id + 1) & 0xffff;
  packet.writeUInt16BE(id, 0); packet.writeUInt16BE(0x0100, 2); packet.writeUInt16BE(1, 4);
  let o = 12;
  for (const l of labels) { packet[o++] = l.length; o += packet.write(l, o); }
  packet[o++] = 0; packet.writeUInt16BE(1, o); packet.writeUInt16BE(1, o + 2);
  sent.set(id, performance.timeOrigin + performance.now());
  socket.send(packet, workerData.port, '127.0.0.1');
}, 2);
parentPort.on('message', () => { clearInterval(timer); setTimeout(() => { socket.close(); parentPort.postMessage(times); }, 100); });
`;

let server: RunningServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function holdLoop(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // busy, as a long step of a build
  }
}

describe.skipIf(nativeAddon() instanceof Error)('LiveCluster with the stand-in', () => {
  it('answers a name asked before the change while every pause of the build holds the loop; the new name answers after the swap', async () => {
    const served = await serveManifestText(() => FILES, { udpIo: 'batch' });
    const { config, load, sources } = served;
    const running = served.server;
    server = running;
    const resolver = new Resolver({ timeout: 2000, tries: 1 });
    resolver.setServers([`127.0.0.1:${running.dns.port}`]);
    // Asked twice: the wire path learns it and sees it repeated, so the stand-in's table has it.
    expect(await resolver.resolve4('s1.default.svc.cluster.local')).toHaveLength(1);
    expect(await resolver.resolve4('s1.default.svc.cluster.local')).toHaveLength(1);

    const holds: [number, number][] = [];
    const live = new LiveCluster({
      config,
      logger: silentLogger(),
      reverseFallthrough: false,
      load: load.load,
      cluster: load.cluster,
      swap: (next) => running.swap(next),
      loadSources: sources,
      standIn: running.standIn,
      slices: {
        pause: async () => {
          // A few holds, then plain pauses: enough to see, not so many the test drags.
          if (holds.length < 3) {
            const from = performance.timeOrigin + performance.now();
            holdLoop(HOLD_MS);
            holds.push([from, performance.timeOrigin + performance.now()]);
          }
          await new Promise((resolve) => setImmediate(resolve));
        },
      },
    });
    const client = new Worker(CLIENT, { eval: true, workerData: { name: 's1.default.svc.cluster.local', port: running.dns.port } });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const result = await live.apply('apiVersion: v1\nkind: Service\nmetadata: {name: added}\nspec: {ports: [{port: 80}]}\n');
    expect(result.kind).toBe('changed');
    await new Promise((resolve) => setTimeout(resolve, 50));
    client.postMessage('stop');
    const times = await new Promise<[number, number][]>((resolve) => client.once('message', resolve));
    await client.terminate();

    expect(holds.length).toBeGreaterThan(0);
    // Sent during a hold (with room at each end for the client's own timer),
    // and of those, answered before that hold ended: with the event loop held,
    // only the stand-in's thread can have answered them (without it, none is).
    // Not all: on a busy machine (a parallel test run) its thread may wait for a CPU.
    let sentDuring = 0;
    let answeredDuring = 0;
    for (const [from, to] of holds) {
      const during = times.filter(([sent]) => sent > from + 5 && sent < to - 20);
      sentDuring += during.length;
      answeredDuring += during.filter(([, replied]) => replied < to).length;
    }
    expect(sentDuring).toBeGreaterThan(10);
    expect(answeredDuring).toBeGreaterThan(sentDuring / 2);
    // The new name is served after the swap, from the event loop again.
    expect(await resolver.resolve4('added.default.svc.cluster.local')).toHaveLength(1);
    expect(await resolver.resolve4('s1.default.svc.cluster.local')).toHaveLength(1);
  });
});
