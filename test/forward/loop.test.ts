// Loop detection: an upstream that is us, or leads back to us.

import { createSocket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { createLoopDetector, detectLoop, isSelf, type LoopDetector } from '../../src/forward/index.js';
import { encodeReply, decodeQuery } from '../helpers/fake-upstream.js';
import { Harness } from './harness.js';
import { RCode } from '../../src/dns/types.js';

const h = new Harness();
afterEach(() => h.close());

/** "Our server": answers loop probes NXDOMAIN itself (as the real server must), ignores the rest. */
async function ourServer(detector: LoopDetector, bind = '127.0.0.1') {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, bind, () => resolve()));
  socket.on('message', (raw, remote) => {
    const query = decodeQuery(raw, 'udp');
    if (!detector.isLoopProbe(query.name)) return;
    const [reply] = encodeReply(query, { kind: 'reply', rcode: RCode.NXDOMAIN }, 'udp');
    if (reply) socket.send(reply, remote.port, remote.address);
  });
  return { port: socket.address().port, close: () => new Promise<void>((resolve) => socket.close(() => resolve())) };
}

describe('loop detection', () => {
  it('refuses an upstream that is our own listen address without probing', async () => {
    const self = { host: '127.0.0.1', port: 5353 };
    expect(await detectLoop([{ host: '192.0.2.1', port: 53 }, self], self, 100)).toEqual(self);
    expect(await detectLoop([{ host: '192.0.2.1', port: 53 }], self, 100)).toBeUndefined();
  });

  it.each([
    { upstream: '127.0.0.1', self: '0.0.0.0', loops: true },
    { upstream: '::1', self: '::', loops: true },
    { upstream: '127.0.0.1', self: '127.0.0.2', loops: false },
    { upstream: '192.0.2.1', self: '0.0.0.0', loops: false },
    // Another loopback address reaches a 0.0.0.0 socket (systemd-resolved's 127.0.0.53 on a host)...
    { upstream: '127.0.0.53', self: '0.0.0.0', loops: true },
    // ...but Docker's embedded DNS is NATed to dockerd in a container: left to the probe.
    { upstream: '127.0.0.11', self: '0.0.0.0', loops: false },
    { upstream: '127.0.0.11', self: '127.0.0.11', loops: true },
  ])('isSelf($upstream, $self) = $loops', ({ upstream, self, loops }) => {
    expect(isSelf({ host: upstream, port: 53 }, { host: self, port: 53 })).toBe(loops);
  });

  it('recognizes probe names only under clusterdns-loop-check', () => {
    const detector = createLoopDetector();
    expect(detector.isLoopProbe(`${detector.token}-0.clusterdns-loop-check.`)).toBe(true);
    expect(detector.isLoopProbe(`${detector.token.toUpperCase()}-1.CLUSTERDNS-LOOP-CHECK`)).toBe(true);
    // Another instance's probe is forwarded on, so it can come back to its sender.
    expect(detector.isLoopProbe('abc-1.clusterdns-loop-check')).toBe(false);
    expect(detector.isLoopProbe('www.example.com')).toBe(false);
    expect(detector.isLoopProbe('clusterdns-loop-check.example.com')).toBe(false);
  });

  it('reports the upstream whose probe came back to our server', async () => {
    const detector = createLoopDetector();
    const server = await ourServer(detector);
    // An upstream that forwards every query it gets to our server: a loop.
    const looping = await h.upstream(() => ({ kind: 'drop' }));
    looping.handler = () => {
      const relay = createSocket('udp4');
      const raw = looping.received.at(-1)?.raw;
      if (raw) relay.send(raw, server.port, '127.0.0.1', () => relay.close());
      return { kind: 'drop' };
    };
    const honest = await h.upstream(() => ({ kind: 'reply', rcode: RCode.NXDOMAIN }));
    try {
      const found = await detectLoop([honest.address, looping.address], { host: '127.0.0.1', port: server.port }, 300, detector);
      expect(found).toEqual(looping.address);
    } finally {
      await server.close();
    }
  });

  it('reports nothing when no probe comes back', async () => {
    const detector = createLoopDetector();
    const honest = await h.upstream(() => ({ kind: 'reply', rcode: RCode.NXDOMAIN }));
    const dead = await h.upstream(() => ({ kind: 'drop' }));
    expect(await detector.check([honest.address, dead.address], { host: '127.0.0.1', port: 1 }, 100)).toBeUndefined();
    expect(honest.received[0]?.query).toMatchObject({ qtype: 13 });
  });

  it("probes Docker's embedded DNS address instead of assuming it is us, and reports nothing when the probe does not come back", async () => {
    const detector = createLoopDetector();
    const server = await ourServer(detector); // 127.0.0.1 only: 127.0.0.11 is not us here
    try {
      const self = { host: '0.0.0.0', port: server.port };
      expect(await detector.check([{ host: '127.0.0.11', port: server.port }], self, 200)).toBeUndefined();
    } finally {
      await server.close();
    }
  });

  it('still reports a loop through 127.0.0.11 when the probe does come back to us (outside Docker)', async () => {
    const detector = createLoopDetector();
    const server = await ourServer(detector, '0.0.0.0'); // the kernel delivers 127.0.0.11 to this socket
    try {
      const upstream = { host: '127.0.0.11', port: server.port };
      expect(await detector.check([upstream], { host: '0.0.0.0', port: server.port }, 300)).toEqual(upstream);
    } finally {
      await server.close();
    }
  });
});
