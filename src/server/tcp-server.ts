// dns2's TCP server with one addition: a message can be finished without a
// reply. dns2 counts each framed message as in flight until the handler's
// send callback runs, and closes a half-closed connection only when that
// count is back to 0 — so a message we drop on purpose (QR=1, a request while
// stopping) would hold the connection open until the idle timeout, and with
// the per-client cap a client could lock its own address out.

import type { Socket } from 'node:net';
import { TCPServer, type Packet } from 'dns2';

/** dns2's per-connection state (node_modules/dns2/server/tcp.js, `handle`). */
interface PipelineState {
  inFlight: number;
  peerEnded: boolean;
}

type Respond = (this: TCPServer, client: Socket, state: PipelineState, message: Packet | Buffer) => void;

/**
 * The send callback dns2 hands to 'request' listeners is `response` bound to
 * the connection; here `send(undefined)` means "answered with nothing".
 */
export type TcpSend = (response: Buffer | undefined) => void;

export class DnsTcpServer extends TCPServer {
  response(client: Socket, state: PipelineState, message: Packet | Buffer | undefined): void {
    if (message !== undefined) {
      (TCPServer.prototype as unknown as { response: Respond }).response.call(this, client, state, message);
      return;
    }
    // dns2's bookkeeping after a write, without the write: one fewer in
    // flight, and a peer that has half-closed gets our FIN once none is left.
    if (state.inFlight > 0) state.inFlight--;
    if (state.peerEnded && state.inFlight === 0 && !client.destroyed) client.end();
  }
}
