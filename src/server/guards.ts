// The server's gate: what every request passes before it is answered.
// Counts queries in flight (a graceful stop waits for them), stops taking new
// ones when the server is stopping, applies the UDP response rate limit and
// owns the TCP caps. The replies it sends itself (a truncated "slip", a
// REFUSED past the TCP in-flight cap) carry no records.

import type { Logger } from 'pino';
import { RCode } from '../dns/types.js';
import { writeEmptyResponse, writeHeaderOnlyResponse } from '../dns/wire.js';
import { BurstLog } from '../burst-log.js';
import { ResponseRateLimiter, type RateLimitSettings, type RateVerdict } from '../guard/rrl.js';
import type { RequestVerdict } from '../dns/index.js';
import { TCP_DEFAULTS, TcpGuard, type TcpLimits } from './tcp-limits.js';

export interface ServerGuardOptions {
  readonly tcp?: TcpLimits;
  /** Off when absent or null. */
  readonly rateLimit?: RateLimitSettings | null;
  /** Milliseconds, for the rate limiter (tests inject one). */
  readonly now?: () => number;
}

export class RequestGate {
  readonly tcp: TcpGuard;
  readonly rateLimiter: ResponseRateLimiter | undefined;
  private count = 0;
  private open = true;
  private waiters: (() => void)[] = [];
  private readonly burst: BurstLog;
  private readonly now: () => number;

  constructor(options: ServerGuardOptions, log: Logger) {
    this.tcp = new TcpGuard(options.tcp ?? TCP_DEFAULTS, log);
    this.now = options.now ?? (() => performance.now());
    this.burst = new BurstLog(log, this.now);
    const rate = options.rateLimit;
    this.rateLimiter = rate ? new ResponseRateLimiter({ ...rate, now: this.now }) : undefined;
  }

  /** Requests taken and not yet answered (or dropped). */
  get inFlight(): number {
    return this.count;
  }

  get accepting(): boolean {
    return this.open;
  }

  /** From now on new requests are ignored; those in flight still finish. */
  stopAccepting(): void {
    this.open = false;
  }

  begin(): void {
    this.count++;
  }

  end(): void {
    if (this.count > 0) this.count--;
    if (this.count === 0) for (const wake of this.waiters.splice(0)) wake();
  }

  /** Resolves true once nothing is in flight, false if `timeoutMs` passes first. */
  idle(timeoutMs: number): Promise<boolean> {
    if (this.count === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== wake);
        resolve(false);
      }, timeoutMs);
      this.waiters.push(wake);
    });
  }

  /** The rate limit's say on a UDP request from `address` ('answer' when off). */
  rateLimit(address: string): RateVerdict {
    if (!this.rateLimiter) return 'answer';
    // One clock read per datagram, shared by the limit and its log.
    const now = this.now();
    const verdict = this.rateLimiter.check(address, now);
    if (verdict !== 'answer' && !this.burst.suppressed('rrl', now)) {
      this.burst.event('rrl', { client: address, limit: this.rateLimiter.perSecond },
        'rate limit: responses dropped or truncated (client is the first network over it); counting further ones for 10 s');
    }
    return verdict;
  }
}

/** An empty reply with TC set: "ask again over TCP". Bare header when there is no usable question; nothing for a drop. */
export function slipReply(request: RequestVerdict): Buffer | undefined {
  const reply = emptyReply(request, RCode.NOERROR);
  if (reply) reply[2] = (reply[2] as number) | 0x02;
  return reply;
}

function emptyReply(request: RequestVerdict, rcode: number): Buffer | undefined {
  switch (request.kind) {
    case 'drop':
      return undefined;
    case 'reject-header':
      return writeHeaderOnlyResponse(request.id, request.opcode, request.rd, rcode);
    case 'query':
    case 'reject': {
      const query = request.query;
      try {
        return writeEmptyResponse(query, { rcode });
      } catch {
        return writeHeaderOnlyResponse(query.id, query.opcode, query.rd, rcode);
      }
    }
  }
}
