// The DNS server: UDP and TCP on one port. Every request goes through
// serveRequest() — the one place where the client is known before anything is
// answered. A datagram is read by the UDP fast path (scan.ts: plain queries)
// or, when it declines, by the codec's request reader (src/dns/request.ts),
// which reads every TCP message too; adapter.ts turns the verdict into a reply.

import type { Socket } from 'node:net';
import type { RemoteInfo, Socket as UdpSocket } from 'node:dgram';
import type { Logger } from 'pino';
import type { Client, Query, RequestVerdict, Transport } from '../dns/index.js';
import { readSafely, reply as replyTo, type QueryHandler } from './adapter.js';
import { bindPair, bindWithTcp, formatHostPort } from './listen.js';
import { isWildcardHost, UdpAddressSet } from './udp-addresses.js';
import { nativeAddon } from '../native/addon.js';
import { scanQuery } from './scan.js';
import { RequestGate, slipReply, type ServerGuardOptions } from './guards.js';
import { attachBatched, BatchUnavailableError, type BatchedSocket, type DatagramBatch } from './batch-io.js';
import type { StandInCounts } from '../native/addon.js';
import { AnswerCache, type StandInQuestion, standInTable, type StandInTable, UNSEEN } from './answer-cache.js';
import type { PreparedAnswers } from '../resolve/responder.js';
import type { DnsTcpServer } from './tcp-server.js';
import type { UdpIo } from './settings.js';

export type { QueryHandler } from './adapter.js';
export { ListenError } from './listen.js';
export { BatchUnavailableError } from './batch-io.js';

export interface DnsServer {
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
  /** Stop listening for TCP connections and ignore new requests; those in flight still get answers. */
  stopAccepting(): void;
  /** Requests taken and not yet answered. */
  readonly inFlight: number;
  /** Resolves true once nothing is in flight, false when `timeoutMs` passes first. */
  idle(timeoutMs: number): Promise<boolean>;
  /** The caps' and rate limit's counters (tests, load runs). */
  readonly gate: RequestGate;
  /** How UDP is read: in batches by the native module, or one datagram at a time by node:dgram. */
  readonly udpIo: 'batch' | 'dgram';
  /**
   * While a change is built on this thread: the native module's thread
   * answers the repeated UDP questions whose replies the wire path holds
   * (answer-cache.ts standInTable), from the state answering now, so they
   * wait for no slice of the build and no collector pause. False when there
   * is nothing to stand in with (dgram, no wire path, no repeats yet).
   */
  standIn(): boolean;
  /**
   * Before a swap, while the stand-in still answers from the old state: the
   * questions it has been answering, answered as `epoch` (the next index)
   * will answer them.
   */
  prepareHandover(epoch: object): StandInHandover | undefined;
  /**
   * Right after the swap: the stand-in answers from `handover` from its next
   * batch on, without a pause. False when it stopped instead (nothing to
   * answer from the next state): the event loop reads again.
   */
  handOver(handover: StandInHandover | undefined): boolean;
  /** The stand-in stops (its thread is joined); the event loop reads again. */
  standDown(): void;
}

/** The stand-in's questions answered from the next state (DnsServer.prepareHandover). */
export interface StandInHandover {
  readonly questions: readonly StandInQuestion[];
  readonly table: StandInTable | undefined;
}

interface DnsServerOptions {
  readonly host: string;
  /** 0 picks a free port (the same for UDP and TCP). */
  readonly port: number;
  readonly handler: QueryHandler;
  readonly logger: Logger;
  /** Attach the client's address, port and request size to each query (for the query log). */
  readonly identifyClients?: boolean;
  /** Attach address, port and size to every query: the --allow check reads them. */
  readonly clientAddresses?: boolean;
  /** TCP caps and the UDP rate limit; defaults: TCP_DEFAULTS, no rate limit. */
  readonly guard?: ServerGuardOptions;
  /** How UDP is read (Config.udpIo); default auto: batched when the native module is built. */
  readonly udpIo?: UdpIo;
  /**
   * The handler's answers, for the batched UDP wire path (answer-cache.ts):
   * give it only when `handler` is exactly the responder's respond() (no
   * observer that must see every Query). Unused with client identification
   * or a rate limit, which need every datagram's sender.
   */
  readonly answers?: PreparedAnswers;
  /**
   * Told about the repeats the wire path answers (metrics), with the
   * question it first learned them from: give it only when it needs no
   * more than the question's name, type and transport and the reply.
   */
  readonly observeWire?: (query: Query, response: Buffer, seconds: number) => void;
}

type Send = (response: Buffer) => Promise<unknown> | unknown;

/**
 * One request off a socket, read: scanned by the UDP fast path (a query,
 * with `client` attached when clients are identified) or judged by the
 * codec's request reader. Nothing of the message's bytes is kept.
 */
type Incoming = RequestVerdict;

/** How often the observer is told of a running stand-in's answers. */
const TELL_EVERY_MS = 250;

/** Bind UDP and TCP on host:port and serve. Rejects with a ListenError when a bind fails. */
export async function startDnsServer(options: DnsServerOptions): Promise<DnsServer> {
  const log = options.logger; // already scoped by the caller (child({ module }))
  const connections = new Set<Socket>();
  const identify = options.identifyClients === true || options.clientAddresses === true;
  const handler = options.handler;
  const gate = new RequestGate(options.guard ?? {}, log);
  // node:dgram on a wildcard host: one socket per local address, so replies leave from the address asked (udp-addresses.ts).
  const perAddress = isWildcardHost(options.host) && (options.udpIo === 'dgram' || (options.udpIo !== 'batch' && nativeAddon() instanceof Error));
  const { udp, tcp, port } = perAddress
    ? await bindWithTcp(options.host, options.port, async (udpPort) => {
        const set = new UdpAddressSet(options.host, (socket, message, rinfo) => onDatagram(socket, message, rinfo), log);
        try {
          return { udp: set, port: await set.open(udpPort), close: () => set.close() };
        } catch (err) {
          await set.close();
          throw err;
        }
      })
    : await bindPair(options.host, options.port);

  /**
   * Every request passes here once read, UDP fast path and codec path
   * alike, its query carrying the peer (address, port and the request's size)
   * when clients are identified. The place for per-client policy before any
   * answering; only the UDP rate limit comes earlier, before a datagram is
   * even read.
   *
   * Returns the reply when it is ready at once (cluster names, cached
   * forwards, rejections); otherwise `later()` is asked for
   * the sender right away, the reply goes through it when ready, and `done`
   * runs after that.
   */
  function serveRequest(incoming: Incoming, transport: Transport, later: () => Send, done?: () => void): Buffer | undefined {
    if (!gate.accepting) {
      done?.(); // stopping: only what is in flight is answered
      return undefined;
    }
    gate.begin();
    const pending = replyTo(incoming, transport, handler, log);
    if (!(pending instanceof Promise)) {
      gate.end();
      if (pending === undefined) done?.();
      return pending;
    }
    const send = later();
    void pending.then((response) => {
      if (response) sendSafely(send, response, transport, log);
      gate.end();
      done?.();
    });
    return undefined;
  }

  /**
   * One datagram, from either reader. The rate limit before anything else: a
   * flooder's dropped datagram costs one table lookup, not a scan, so the
   * socket's queue keeps draining and ordinary clients' queries are not lost
   * behind the flood. `message` may be shared memory (the batched reader):
   * nothing of it outlives this call (the readers copy what they keep).
   */
  function serveDatagram(message: Buffer, from: DatagramSource): Buffer | undefined {
    const address = gate.rateLimiter || identify ? from.address() : '';
    const verdict = gate.rateLimit(address);
    if (verdict === 'drop') return undefined;
    const peer = identify ? { address, port: from.port(), size: message.length } : undefined;
    const incoming = readDatagram(message, peer, log);
    if (verdict === 'slip') {
      const slip = gate.accepting ? slipReply(incoming) : undefined;
      return slip && fitUdp(slip, incoming);
    }
    const reply = serveRequest(incoming, 'udp', () => from.sendLater(incoming));
    return reply && fitUdp(reply, incoming);
  }

  /** One datagram read by node:dgram from `socket`; the reply goes back through it. */
  function onDatagram(socket: UdpSocket, message: Buffer, rinfo: RemoteInfo): void {
    const reply = serveDatagram(message, new RinfoSource(rinfo, socket));
    if (reply === undefined) return;
    try {
      socket.send(reply, rinfo.port, rinfo.address);
    } catch (err) {
      sendFailed(err, 'udp', log);
    }
  }

  let batched: BatchedSocket | undefined;
  const observeWire = options.observeWire;
  /** The wire path's table (batched UDP only), and the stand-in's table while one runs. */
  let cache: AnswerCache | undefined;
  let standing: StandInTable | undefined;
  if (!(udp instanceof UdpAddressSet) && options.udpIo !== 'dgram') {
    try {
      cache = options.answers && !identify && !gate.rateLimiter ? new AnswerCache(options.answers) : undefined;
      batched = attachBatched(udp, (batch, count) => {
        // One source object for the whole batch, moved slot to slot: a
        // datagram answered at once allocates nothing here.
        const source = new BatchSource(batch);
        const wire = gate.accepting ? cache : undefined;
        wire?.startBatch();
        for (let index = 0; index < count; index++) {
          source.index = index;
          try {
            if (wire && observeWire) {
              const started = performance.now();
              if (answerFromWire(wire, batch, index)) {
                observeWire(wire.lastQuery(), batch.outputSlot(index), (performance.now() - started) / 1000);
                continue;
              }
            } else if (wire && answerFromWire(wire, batch, index)) continue;
            const reply = serveDatagram(batch.message(index), source);
            if (reply) batch.reply(index, reply);
          } catch (err) {
            log.error({ err }, 'cannot answer a datagram');
          }
        }
      });
    } catch (err) {
      if (options.udpIo === 'batch') {
        await closeSockets(udp, tcp);
        throw new BatchUnavailableError((err as Error).message);
      }
      log.info({ reason: (err as Error).message }, 'batched UDP unavailable: reading datagrams one at a time with node:dgram');
      if (isWildcardHost(options.host)) {
        log.warn({ host: options.host }, 'replies to queries sent to other addresses of this host may leave from the wrong address; use --udp-io dgram or bind one address');
      }
    }
  }
  if (batched === undefined && !(udp instanceof UdpAddressSet)) {
    udp.on('message', (message: Buffer, rinfo: RemoteInfo) => onDatagram(udp, message, rinfo));
  }
  tcp.serve({
    message(message, socket, finish) {
      const peer: Client = { address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0, size: message.length };
      // Read now: `message` is a view of the connection's buffer.
      const incoming = readSafely(message, 'tcp', log, identify ? peer : undefined);
      // Every message is finished once, answered or not (a QR=1 message,
      // stopping), so a half-closed connection is not held open until idle.
      let replied = false;
      const reply = (response: Buffer): void => {
        replied = true;
        finish(response);
      };
      const finished = (): void => {
        gate.tcp.release(socket);
        if (!replied) finish(undefined);
      };
      const serve = (): void => {
        const now = serveRequest(incoming, 'tcp', () => reply, finished);
        if (now) {
          reply(now);
          finished();
        }
      };
      // Past the in-flight cap a pipelined query waits its turn (RFC 7766 §6.2.1.1).
      gate.tcp.admit(socket, message.length, serve);
    },
    // Bad framing, a reset: nothing to answer.
    error: (err) => log.debug({ err, transport: 'tcp' }, 'TCP connection closed on an error'),
  });
  // Socket errors after binding must never crash the process. UDP sends take
  // no callback (a callback costs a deferred tick per answer): their rare
  // failures arrive here.
  if (!(udp instanceof UdpAddressSet)) udp.on('error', (err: Error) => log.error({ err }, 'UDP socket error'));
  tcp.on('error', (err: Error) => log.error({ err }, 'TCP server error'));
  tcp.on('connection', (socket: Socket) => {
    if (!gate.accepting || !gate.tcp.accept(socket, tcp.readControl(socket))) return void socket.destroy();
    connections.add(socket);
    socket.on('close', () => connections.delete(socket));
  });
  log.debug({ address: formatHostPort(options.host, port) }, 'DNS server listening (udp+tcp)');

  /** What the observer has been told of the running stand-in's answers (told while it runs, then at its end). */
  let told: StandInCounts | undefined;
  let telling: NodeJS.Timeout | undefined;
  /** The stand-in's answers since `told`, to the observer as if each had been answered here (metrics). */
  const tell = (table: StandInTable, now: StandInCounts): void => {
    if (!observeWire) return;
    let answered = 0;
    now.answered.forEach((count, entry) => (answered += count - (told?.answered[entry] ?? 0)));
    if (answered <= 0) return;
    const seconds = Math.max(0, now.seconds - (told?.seconds ?? 0)) / answered;
    now.answered.forEach((count, entry) => {
      for (let i = told?.answered[entry] ?? 0; i < count; i++) observeWire(table.questions[entry]!.query, table.replies[entry]!, seconds);
    });
    told = now;
  };
  const standDown = (): void => {
    clearInterval(telling);
    const done = batched?.standDown();
    const table = standing;
    standing = undefined;
    if (done && table) tell(table, done);
    told = undefined;
  };

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    standDown();
    batched?.close();
    closing ??= Promise.all([
      udp instanceof UdpAddressSet ? udp.close() : new Promise<void>((resolve) => udp.close(() => resolve())),
      new Promise<void>((resolve) => {
        tcp.close(() => resolve());
        for (const socket of connections) socket.destroy();
      }),
    ]).then(() => undefined);
    return closing;
  };
  return {
    host: options.host,
    port,
    close,
    stopAccepting() {
      standDown();
      gate.stopAccepting();
      tcp.close(); // existing connections stay until close()
    },
    get inFlight() {
      return gate.inFlight;
    },
    idle: (timeoutMs) => gate.idle(timeoutMs),
    gate,
    udpIo: batched ? 'batch' : 'dgram',
    standIn() {
      if (!batched || !cache || standing || !gate.accepting) return false;
      const table = standInTable(cache.standInQuestions());
      if (!table || !batched.standIn(table.bytes)) return false;
      standing = table;
      // A scrape of /metrics while it stands in sees its answers too (within this interval).
      if (observeWire) {
        telling = setInterval(() => {
          const now = batched?.answeredSoFar();
          if (now && standing) tell(standing, now);
        }, TELL_EVERY_MS);
        telling.unref();
      }
      return true;
    },
    handOver(handover) {
      if (!batched || !cache || !standing) return false;
      const old = handover?.table && batched.replaceTable(handover.table.bytes);
      if (!old || !handover?.table) {
        standDown();
        return false;
      }
      tell(standing, old);
      told = undefined;
      standing = handover.table;
      // The wire path answers them from the new state at once too.
      cache.relearn(handover.questions);
      return true;
    },
    prepareHandover(epoch) {
      const answered = batched?.answeredSoFar()?.answered;
      if (!standing || !answered || !options.answers) return undefined;
      // Only what was asked while the stand-in answered: answering them from the next state is work done now.
      const questions: StandInQuestion[] = [];
      answered.forEach((count, entry) => {
        if (count === 0) return;
        const { key, query } = standing!.questions[entry]!;
        questions.push({ key, query, prepared: options.answers!.preparedFrom(epoch, query) ?? null });
      });
      return { questions, table: standInTable(questions) };
    },
    standDown,
  };
}

/**
 * The wire path (answer-cache.ts) for slot `index`: true when the reply is
 * written into its output slot. A question seen for the first time is read
 * by scan.ts and its answer kept, then answered from the table as well.
 */
function answerFromWire(cache: AnswerCache, batch: DatagramBatch, index: number): boolean {
  const request = batch.inputSlot(index);
  const output = batch.outputSlot(index);
  const length = batch.length(index);
  let written = cache.answer(request, length, output);
  if (written === UNSEEN) {
    const query = scanQuery(batch.message(index), undefined);
    if (query === undefined || !cache.learn(request, query)) return false;
    written = cache.answer(request, length, output);
  }
  if (written < 0) return false;
  batch.replyLength(index, written);
  return true;
}

/**
 * Where a datagram came from, asked only when needed: the batched reader
 * turns an address into text only for the rate limit, the query log,
 * --allow, or a reply sent later.
 */
interface DatagramSource {
  address(): string;
  port(): number;
  /** The sender of a reply that is not ready yet; called while the datagram is being served. */
  sendLater(incoming: Incoming): Send;
}

class BatchSource implements DatagramSource {
  index = 0;
  constructor(private readonly batch: DatagramBatch) {}
  address(): string {
    return this.batch.address(this.index);
  }
  port(): number {
    return this.batch.port(this.index);
  }
  sendLater(incoming: Incoming): Send {
    const batch = this.batch;
    const route = batch.route(this.index);
    return (response: Buffer): void => batch.sendLate(route, fitUdp(response, incoming));
  }
}

class RinfoSource implements DatagramSource {
  constructor(
    private readonly rinfo: RemoteInfo,
    /** The socket the datagram came in on: its reply leaves through it, from the address it was sent to. */
    private readonly socket: UdpSocket,
  ) {}
  address(): string {
    return this.rinfo.address;
  }
  port(): number {
    return this.rinfo.port;
  }
  sendLater(incoming: Incoming): Send {
    const { socket, rinfo } = this;
    return (response: Buffer): void => socket.send(fitUdp(response, incoming), rinfo.port, rinfo.address);
  }
}

function closeSockets(udp: { close(callback: () => void): void }, tcp: DnsTcpServer): Promise<void> {
  return new Promise((resolve) => udp.close(() => tcp.close(() => resolve())));
}

/**
 * A datagram read by the fast path, or by the codec when the fast path
 * declines. Neither keeps anything of `message`, which may be the batched
 * reader's shared memory, reused for the next batch.
 */
function readDatagram(message: Buffer, client: Client | undefined, log: Logger): Incoming {
  const query = scanQuery(message, client);
  if (query) return { kind: 'query', query };
  return readSafely(message, 'udp', log, client);
}

/** Send without a promise when the transport is synchronous (UDP); failures are only logged. */
function sendSafely(send: Send, response: Buffer, transport: Transport, log: Logger): void {
  try {
    const sent = send(response);
    if (sent instanceof Promise) sent.catch((err: unknown) => sendFailed(err, transport, log));
  } catch (err) {
    sendFailed(err, transport, log);
  }
}

function sendFailed(err: unknown, transport: Transport, log: Logger): void {
  // Client gone, socket closed: nothing else to do.
  log.debug({ err, transport }, 'cannot send response');
}

/**
 * The last guard before a UDP send: a response larger than the client's
 * buffer (its OPT size, at least 512) is cut there with TC set. Responses we
 * build already fit; this only protects against a handler that does not.
 * The size comes from what was already read, never from a second decode:
 * large answers (a headless service's 100 addresses) are common.
 */
function fitUdp(response: Buffer, request: Incoming): Buffer {
  if (response.length <= 512) return response;
  const limit = Math.max(advertisedPayload(request), 512);
  if (response.length <= limit) return response;
  const cut = Buffer.from(response.subarray(0, limit));
  if (cut.length >= 3) cut[2] = (cut[2] as number) | 0x02;
  return cut;
}

function advertisedPayload(request: Incoming): number {
  return request.kind === 'query' || request.kind === 'reject' ? (request.query.edns?.udpSize ?? 0) : 0;
}
