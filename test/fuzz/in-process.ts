// Layer (a): the request path without sockets. Bytes go through what a
// datagram or TCP frame goes through in src/server — the codec's readRequest
// (src/dns/request.ts) and the reply (src/server/adapter.ts respond), with the real responder
// over a record index built from manifests/ — and every reply is judged by
// the invariants. Handler failures logged at error level count as crashes.

import { Writable } from 'node:stream';
import { Packet } from 'dns2';
import pino from 'pino';
import { loadCluster } from '../../src/pipeline/index.js';
import { DEFAULTS } from '../../src/config.js';
import { createResponder } from '../../src/resolve/responder.js';
import { respond } from '../../src/server/adapter.js';
import { ROOT } from '../helpers/server-process.js';
import { violations, type FuzzTransport } from './invariants.js';

/** The clusters the fuzzers serve: the examples plus a 100-address headless service (answers that must be truncated). */
export const FUZZ_MANIFESTS = ['manifests', 'test/fixtures/e2e/big-headless.yaml'];

export interface Verdict {
  readonly reply?: Buffer;
  readonly violations: readonly string[];
}

export interface InProcess {
  /** Feed one message as it arrives on `transport`; never rejects. */
  exchange(bytes: Buffer, transport: FuzzTransport): Promise<Verdict>;
  /** Lines the server logged at error level or above (handler throws, unreadable requests). */
  readonly errors: string[];
}

export async function startInProcess(): Promise<InProcess> {
  const errors: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      errors.push(chunk.toString().trim());
      callback();
    },
  });
  const logger = pino({ level: 'error' }, sink);
  const config = { ...DEFAULTS, manifests: FUZZ_MANIFESTS.map((path) => `${ROOT}/${path}`), upstreams: [] };
  const loaded = await loadCluster(config, logger, { serial: 1 });
  if (!loaded.ok) throw new Error(`fuzz cluster does not load: ${loaded.problems.map((p) => p.message).join('; ')}`);
  const index = loaded.cluster.index;
  const responder = createResponder({ index: () => index });
  const handler = (query: Parameters<typeof responder.respond>[0]) => responder.respond(query);

  async function exchange(bytes: Buffer, transport: FuzzTransport): Promise<Verdict> {
    let reply: Buffer | undefined;
    try {
      reply = await respond(bytes, transport, handler, logger);
    } catch (error) {
      return { violations: [`respond() threw: ${error instanceof Error ? error.stack : String(error)}`] };
    }
    const optUdpSize = advertisedSize(bytes);
    const found = violations({ query: bytes, transport, replies: reply ? [reply] : [], ...(optUdpSize !== undefined ? { optUdpSize } : {}) });
    return { ...(reply ? { reply } : {}), violations: found };
  }

  return { exchange, errors };
}

/** The OPT UDP size in `bytes` as dns2 (an independent decoder) reads it, if any. */
function advertisedSize(bytes: Buffer): number | undefined {
  try {
    return Packet.parse(bytes).additionals.find((record) => record.type === 41)?.class;
  } catch {
    return undefined; // shorter than a header
  }
}
