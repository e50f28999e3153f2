// Shared pieces of the forwarder tests: record builders, a log capture, and
// a harness that closes every fake and forwarder a test opened.

import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import type { ResourceRecord } from '../../src/dns/types.js';
import { createForwarder, type Forwarder, type ForwarderOptions } from '../../src/forward/index.js';
import { startFakeUpstream, type FakeUpstream, type Handler } from './fake-upstream.js';

export function a(name: string, address: string, ttl = 300): ResourceRecord {
  return { name, ttl, data: { type: 'A', address } };
}

export function cname(name: string, target: string, ttl = 300): ResourceRecord {
  return { name, ttl, data: { type: 'CNAME', target } };
}

export function soa(zone: string, ttl: number, minimum: number): ResourceRecord {
  return {
    name: zone,
    ttl,
    data: { type: 'SOA', mname: `ns.${zone}`, rname: `hostmaster.${zone}`, serial: 1, refresh: 7200, retry: 1800, expire: 86400, minimum },
  };
}

export interface LogCapture {
  readonly logger: Logger;
  readonly lines: Record<string, unknown>[];
}

export function captureLogs(): LogCapture {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

/** A settable clock for the cache, in milliseconds. */
export class Clock {
  ms = 1_000_000;
  readonly now = (): number => this.ms;
  advance(seconds: number): void {
    this.ms += seconds * 1000;
  }
}

export class Harness {
  private readonly closers: (() => Promise<void>)[] = [];
  readonly logs = captureLogs();

  async upstream(handler: Handler, host?: string): Promise<FakeUpstream> {
    const fake = await startFakeUpstream(handler, host);
    this.closers.push(() => fake.close());
    return fake;
  }

  forwarder(options: Omit<ForwarderOptions, 'logger'>): Forwarder {
    const forwarder = createForwarder({ logger: this.logs.logger, ...options });
    this.closers.push(() => forwarder.close());
    return forwarder;
  }

  async close(): Promise<void> {
    for (const close of this.closers.splice(0).reverse()) await close();
    this.logs.lines.length = 0;
  }
}

/** An address nothing listens on: a fake that never answers. */
export const drop: Handler = () => ({ kind: 'drop' });
