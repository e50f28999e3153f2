// node:dgram on a wildcard host: one UDP socket per local address
// (src/server/udp-addresses.ts), following the host's addresses. The list
// is given by the test (loopback addresses only); the sockets are real.
// The whole path through `serve` with real interfaces is
// test/e2e/reply-source.test.ts (inside a private network namespace).

import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ListenError } from '../../src/server/listen.js';
import { isWildcardHost, localAddresses, UdpAddressSet, type LocalAddress } from '../../src/server/udp-addresses.js';

const INTERFACES = {
  lo: [
    { address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4', mac: '00:00:00:00:00:00', internal: true, cidr: '127.0.0.1/8' },
    { address: '::1', netmask: 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', family: 'IPv6', mac: '00:00:00:00:00:00', internal: true, cidr: '::1/128', scopeid: 0 },
  ],
  eth0: [
    { address: '10.0.0.5', netmask: '255.255.255.0', family: 'IPv4', mac: '02:00:00:00:00:01', internal: false, cidr: '10.0.0.5/24' },
    { address: '10.0.0.6', netmask: '255.255.255.0', family: 'IPv4', mac: '02:00:00:00:00:01', internal: false, cidr: '10.0.0.6/24' },
    { address: 'fe80::1', netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6', mac: '02:00:00:00:00:01', internal: false, cidr: 'fe80::1/64', scopeid: 2 },
    { address: '2001:db8::5', netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6', mac: '02:00:00:00:00:01', internal: false, cidr: '2001:db8::5/64', scopeid: 0 },
  ],
  // The same address on two interfaces is bound once.
  eth1: [{ address: '10.0.0.5', netmask: '255.255.255.0', family: 'IPv4', mac: '02:00:00:00:00:02', internal: false, cidr: '10.0.0.5/24' }],
} as const;

describe('localAddresses', () => {
  const rows: { host: string; expected: string[] }[] = [
    { host: '0.0.0.0', expected: ['127.0.0.1', '10.0.0.5', '10.0.0.6'] },
    // :: is dual-stack: IPv4 too; a link-local address carries its interface.
    { host: '::', expected: ['127.0.0.1', '::1', '10.0.0.5', '10.0.0.6', 'fe80::1%eth0', '2001:db8::5'] },
  ];
  for (const row of rows) {
    it(`--bind ${row.host} covers ${row.expected.join(', ')}`, () => {
      const found = localAddresses(row.host, structuredClone(INTERFACES) as never).map((local) => local.bind);
      expect(found.sort()).toEqual([...row.expected].sort());
    });
  }

  it('knows the wildcards', () => {
    expect(['0.0.0.0', '::', '127.0.0.1', '::1', '10.0.0.5'].map(isWildcardHost)).toEqual([true, true, false, false, false]);
  });
});

describe('UdpAddressSet', () => {
  const log = pino({ level: 'silent' });
  const cleanup: (() => unknown)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  /** A set over a list the test changes, that records which socket each datagram came in on. */
  function addressSet(list: LocalAddress[]) {
    const arrivals: { local: string; text: string }[] = [];
    const arrived = (socket: Socket, message: Buffer): void => {
      arrivals.push({ local: socket.address().address, text: message.toString() });
      socket.emit('test-arrival');
    };
    const set = new UdpAddressSet('::', arrived, log, () => list);
    cleanup.push(() => set.close());
    return { set, arrivals };
  }

  function sendTo(address: string, port: number, text: string): void {
    const client = createSocket(address.includes(':') ? 'udp6' : 'udp4');
    cleanup.push(() => new Promise<void>((resolve) => client.close(() => resolve())));
    client.send(text, port, address);
  }

  it('binds every address on one port, follows additions and removals, and reads each on its own socket', async () => {
    const list: LocalAddress[] = [{ bind: '127.0.0.1', family: 4 }];
    const { set, arrivals } = addressSet(list);
    const port = await set.open(0);
    expect(port).toBeGreaterThan(0);
    expect(set.bound).toEqual(['127.0.0.1']);

    list.push({ bind: '::1', family: 6 });
    await set.refresh();
    expect(set.bound).toEqual(['127.0.0.1', '::1']);

    const sockets = (set as unknown as { sockets: Map<string, Socket> }).sockets;
    for (const [address, text] of [['127.0.0.1', 'four'], ['::1', 'six']] as const) {
      const arrival = once(sockets.get(address)!, 'test-arrival');
      sendTo(address, port, text);
      await arrival;
    }
    expect(arrivals).toEqual([{ local: '127.0.0.1', text: 'four' }, { local: '::1', text: 'six' }]);

    list.shift();
    await set.refresh();
    expect(set.bound).toEqual(['::1']);
    // 127.0.0.1's port is free again: nothing of ours holds it.
    const probe = createSocket('udp4');
    cleanup.push(() => new Promise<void>((resolve) => probe.close(() => resolve())));
    probe.bind(port, '127.0.0.1');
    await once(probe, 'listening');
  });

  it('refuses to start when an address is taken, as a wildcard bind would', async () => {
    const holder = createSocket('udp4');
    cleanup.push(() => new Promise<void>((resolve) => holder.close(() => resolve())));
    holder.bind(0, '127.0.0.1');
    await once(holder, 'listening');
    const { set } = addressSet([{ bind: '::1', family: 6 }, { bind: '127.0.0.1', family: 4 }]);
    const error = await set.open(holder.address().port).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ListenError);
    expect((error as ListenError).code).toBe('EADDRINUSE');
  });

  it('skips an address it cannot bind yet and keeps the others', async () => {
    // 192.0.2.1 (TEST-NET-1) is no address of this host: EADDRNOTAVAIL, like an IPv6 address still in DAD.
    const { set } = addressSet([{ bind: '192.0.2.1', family: 4 }, { bind: '127.0.0.1', family: 4 }]);
    await set.open(0);
    expect(set.bound).toEqual(['127.0.0.1']);
    await set.refresh();
    expect(set.bound).toEqual(['127.0.0.1']);
  });
});
