// Layer (b): fuzz inputs sent to a real server process over real UDP and TCP
// sockets on loopback. Each input gets its own message ID so replies can be
// matched to what was sent, and every reply is judged by the invariants.

import dgram from 'node:dgram';
import net from 'node:net';
import { Packet } from 'dns2';
import { streamBytes, type TcpStream } from './arbitraries.js';
import { violations } from './invariants.js';

export interface StormResult {
  /** Messages sent (UDP datagrams, or complete TCP frames). */
  inputs: number;
  replies: number;
  /** Inputs whose violations were found; each line names the input in hex. */
  findings: string[];
}

export function newStormResult(): StormResult {
  return { inputs: 0, replies: 0, findings: [] };
}

/** The OPT UDP size the server sees in `bytes` (dns2's view), if any. */
function optUdpSize(bytes: Buffer): number | undefined {
  try {
    return Packet.parse(bytes).additionals.find((record) => record.type === 41)?.class;
  } catch {
    return undefined;
  }
}

function withId(bytes: Buffer, id: number): Buffer {
  if (bytes.length < 2) return bytes;
  const out = Buffer.from(bytes);
  out.writeUInt16BE(id, 0);
  return out;
}

function record(result: StormResult, query: Buffer, transport: 'udp' | 'tcp', replies: readonly Buffer[]): void {
  result.replies += replies.length;
  const size = optUdpSize(query);
  const found = violations({ query, transport, replies, ...(size !== undefined ? { optUdpSize: size } : {}) });
  for (const violation of found) result.findings.push(`${transport}: ${violation} (query ${query.toString('hex').slice(0, 400)})`);
}

/** A plain query for a name the fuzz cluster answers: the liveness probe. */
export function probeQuery(id: number): Buffer {
  const name = 'kubernetes.default.svc.cluster.local'.split('.');
  const labels = Buffer.concat([...name.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])), Buffer.from([0])]);
  const header = Buffer.from([id >> 8, id & 0xff, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
  return Buffer.concat([header, labels, Buffer.from([0, 1, 0, 1])]);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Sends `inputs` in batches; after each batch a probe query, whose reply
 * (datagrams are served in order) means the batch has been answered.
 */
export async function udpStorm(port: number, inputs: readonly Buffer[], result: StormResult, batchSize = 100): Promise<void> {
  const socket = dgram.createSocket('udp4');
  const received: Buffer[] = [];
  let wake: (() => void) | undefined;
  socket.on('message', (message) => {
    received.push(message);
    wake?.();
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  let nextId = 1;
  const id = (): number => {
    nextId = (nextId % 0xfffe) + 1;
    return nextId;
  };
  const send = (message: Buffer) =>
    new Promise<void>((resolve) => socket.send(message, port, '127.0.0.1', () => resolve()));
  try {
    for (let start = 0; start < inputs.length; start += batchSize) {
      const sent = new Map<number, Buffer>();
      for (const input of inputs.slice(start, start + batchSize)) {
        const message = withId(input, id());
        if (message.length >= 2) sent.set(message.readUInt16BE(0), message);
        else record(result, message, 'udp', []);
        result.inputs += 1;
        await send(message);
      }
      const probe = id();
      await send(probeQuery(probe));
      const deadline = Date.now() + 3000;
      while (!received.some((m) => m.length >= 2 && m.readUInt16BE(0) === probe)) {
        if (Date.now() > deadline) {
          result.findings.push(`udp: no answer to the liveness probe after inputs ${start}-${start + batchSize}`);
          return;
        }
        await Promise.race([new Promise<void>((resolve) => (wake = resolve)), sleep(50)]);
      }
      await sleep(2); // stragglers from the slower (dns2) path
      const byId = new Map<number, Buffer[]>();
      for (const reply of received.splice(0)) {
        const replyId = reply.length >= 2 ? reply.readUInt16BE(0) : -1;
        if (replyId === probe) continue;
        if (!sent.has(replyId)) result.findings.push(`udp: reply with an ID no query in flight had (${reply.toString('hex').slice(0, 80)})`);
        else byId.set(replyId, [...(byId.get(replyId) ?? []), reply]);
      }
      for (const [sentId, message] of sent) record(result, message, 'udp', byId.get(sentId) ?? []);
    }
  } finally {
    await new Promise<void>((resolve) => socket.close(() => resolve()));
  }
}

/** How long a stream waits, after its last byte, for more replies before it hangs up. */
const TCP_QUIET_MS = 150;

/** One TCP conversation: write the stream in chunks, end as told, judge every framed reply. */
export async function tcpConversation(port: number, stream: TcpStream, result: StormResult, baseId: number): Promise<void> {
  // Unique IDs inside the conversation so replies can be matched.
  const pieces = stream.pieces.map((piece, i) => (piece.kind === 'raw' ? piece : { ...piece, message: withId(piece.message, baseId + i) }));
  const { bytes, frames } = streamBytes({ ...stream, pieces });
  // A loopback source address of its own (127.1.x.y): the server caps TCP
  // connections per client address, and a conversation ending in an
  // unanswered QR=1 frame holds its slot until the idle timeout.
  const localAddress = `127.1.${(baseId >> 8) & 0xff}.${(baseId & 0xff) || 1}`;
  const socket = net.connect({ port, host: '127.0.0.1', localAddress });
  const replies: Buffer[] = [];
  let buffered = Buffer.alloc(0);
  let lastActivity = Date.now();
  const closed = new Promise<void>((resolve) => {
    socket.on('data', (chunk: Buffer) => {
      lastActivity = Date.now();
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
        replies.push(buffered.subarray(2, 2 + buffered.readUInt16BE(0)));
        buffered = buffered.subarray(2 + buffered.readUInt16BE(0));
      }
    });
    socket.on('error', () => resolve());
    socket.on('close', () => resolve());
  });
  try {
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  } catch (error) {
    result.findings.push(`tcp: cannot connect: ${String(error)}`);
    return;
  }
  let at = 0;
  for (let turn = 0; at < bytes.length && !socket.destroyed; turn++) {
    const size = stream.chunking[turn % stream.chunking.length] ?? 1;
    const chunk = bytes.subarray(at, at + size);
    at += size;
    await new Promise<void>((resolve) => socket.write(chunk, () => resolve()));
    await new Promise((resolve) => setImmediate(resolve));
  }
  if (stream.ending === 'reset') {
    socket.resetAndDestroy();
  } else {
    socket.end();
    // The server closes once every request is answered; a QR=1 frame is never
    // answered (see docs/hardening-fuzz.md), so also stop after a quiet spell.
    while (!socket.closed && Date.now() - lastActivity < TCP_QUIET_MS) await Promise.race([closed, sleep(TCP_QUIET_MS)]);
    socket.destroy();
  }
  await closed;
  result.inputs += frames.length;
  if (stream.ending === 'reset') {
    result.replies += replies.length;
    return;
  }
  const byId = new Map<number, Buffer[]>();
  for (const reply of replies) {
    const replyId = reply.length >= 2 ? reply.readUInt16BE(0) : -1;
    byId.set(replyId, [...(byId.get(replyId) ?? []), reply]);
  }
  const frameIds = new Set(frames.filter((f) => f.length >= 2).map((f) => f.readUInt16BE(0)));
  for (const replyId of byId.keys()) {
    if (!frameIds.has(replyId)) result.findings.push(`tcp: reply with an ID no frame had (${replyId})`);
  }
  // Frames with the same ID (a lying length can cut one out of another) are judged together.
  const judged = new Set<number>();
  for (const frame of frames) {
    const frameId = frame.length >= 2 ? frame.readUInt16BE(0) : -1;
    if (frameId >= 0 && judged.has(frameId)) continue;
    judged.add(frameId);
    const sameId = frames.filter((f) => f.length >= 2 && f.readUInt16BE(0) === frameId).length;
    const got = frameId >= 0 ? (byId.get(frameId) ?? []) : [];
    if (sameId > 1) {
      result.replies += got.length;
      continue;
    }
    record(result, frame, 'tcp', got);
  }
}

/** Runs `streams` with `parallel` conversations at a time. */
export async function tcpStorm(port: number, streams: readonly TcpStream[], result: StormResult, parallel = 16): Promise<void> {
  let next = 0;
  let conversation = 0;
  const worker = async (): Promise<void> => {
    while (next < streams.length) {
      const stream = streams[next++] as TcpStream;
      const base = ((conversation++ * 8) % 0xff00) + 1;
      await tcpConversation(port, stream, result, base);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
}
