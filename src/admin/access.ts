// Who may use the admin HTTP server, checked before a body is read.
//
// A browser on the user's machine is the attacker here: any web page can send
// requests to 127.0.0.1, and with DNS rebinding (a name of the attacker's
// that resolves to 127.0.0.1) it can read the answers too. So, in order:
//   1. the client address must be in --allow (loopback always is)     -> 403
//   2. OPTIONS with an Origin (a CORS preflight) is never granted     -> 403
//   3. an Origin header must be the listener's own origin             -> 403
// and for the /v1 control API only:
//   4. /v1 is closed on a non-loopback listener without a token       -> 403
//   5. the Host header must name this listener                       -> 403
//   6. the bearer token, when one is set                              -> 401
//   7. writes must say Content-Type application/json or application/yaml,
//      which a browser cannot send cross-origin without a preflight   -> 415
// No CORS header is ever sent. /health, /ready and /metrics skip 4-7: Docker
// health checks, kubelet probes and Prometheus address us by IP or service
// name, and they leak nothing a test needs to keep secret.

import { timingSafeEqual } from 'node:crypto';
import ipaddr from 'ipaddr.js';
import { AllowList, isLoopbackBind } from '../guard/acl.js';
import type { AdminSettings } from './settings.js';
import type { AccessSettings, AdminReply } from './types.js';

/** One request as it arrived, before its body is read. */
export interface Arrival {
  readonly method: string;
  readonly path: string;
  readonly host: string | undefined;
  readonly origin: string | undefined;
  readonly contentType: string | undefined;
  readonly authorization: string | undefined;
  /** The client's address, as the socket reports it. */
  readonly remoteAddress: string | undefined;
  /** The address the connection arrived at (differs from the listen address on a wildcard bind). */
  readonly localAddress: string | undefined;
}

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const WRITE_TYPES = new Set(['application/json', 'application/yaml']);
const LOOPBACK_NAMES = new Set(['localhost']);

/** How to set a token, for the 403 of a closed /v1 and the startup warning. */
export const HOW_TO_SET_A_TOKEN =
  'set a token with CLUSTERDNS_HTTP_TOKEN, --http-token-file FILE or --http-token TOKEN and send "Authorization: Bearer TOKEN", ' +
  'or listen on loopback (--http 127.0.0.1:PORT)';

export class AdminAccess {
  private readonly hosts: ReadonlySet<string>;
  /** True when /v1 answers 403 to everyone: a non-loopback listener and no token. */
  readonly controlClosed: boolean;

  constructor(
    /** The address the admin server listens on. */
    private readonly listenHost: string,
    private readonly settings: AccessSettings,
  ) {
    this.hosts = new Set(settings.hosts ?? []);
    this.controlClosed = settings.token === undefined && !isLoopbackBind(listenHost);
  }

  /** A refusal, or undefined when the request may go on to its route. */
  check(request: Arrival): AdminReply | undefined {
    const client = request.remoteAddress ?? '';
    if (this.settings.allow && !isLoopbackAddress(client) && !this.settings.allow.allows(client)) {
      return refuse(403, `client ${client} is outside --allow`);
    }
    if (request.method === 'OPTIONS' && request.origin !== undefined) {
      return refuse(403, 'cross-origin requests are not allowed: this server grants no CORS preflight');
    }
    if (request.origin !== undefined && !this.ownOrigin(request)) {
      return refuse(403, `cross-origin requests are not allowed (Origin ${JSON.stringify(request.origin)} is not this server)`);
    }
    if (!isControlPath(request.path)) return undefined;
    if (this.controlClosed) {
      return refuse(403, `the /v1 control API is closed: --http listens on ${this.listenHost}, not loopback, and no token is set; ${HOW_TO_SET_A_TOKEN}`);
    }
    if (!this.namesUs(request.host, request.localAddress)) {
      return refuse(
        403,
        `Host ${JSON.stringify(request.host ?? '')} does not name this server: use localhost, a loopback or listening address, ` +
          'or a name given with --http-host NAME',
      );
    }
    if (this.settings.token !== undefined && !bearerMatches(request.authorization, this.settings.token)) {
      return { status: 401, json: { error: 'missing or wrong bearer token' }, headers: { 'www-authenticate': 'Bearer' } };
    }
    if (WRITES.has(request.method) && !WRITE_TYPES.has(mediaType(request.contentType))) {
      return refuse(415, `${request.method} needs Content-Type: application/json or application/yaml, got ${JSON.stringify(request.contentType ?? '')}`);
    }
    return undefined;
  }

  /**
   * Whether a Host header names this listener. The port is not compared: a
   * published container port or a proxy may change it, and DNS rebinding
   * needs the attacker's name, not another port.
   */
  private namesUs(host: string | undefined, localAddress: string | undefined): boolean {
    const name = hostName(host);
    if (name === undefined) return false;
    if (LOOPBACK_NAMES.has(name) || this.hosts.has(name)) return true;
    const address = normalizeAddress(name);
    if (address === undefined) return false;
    return (
      this.hosts.has(address) ||
      isLoopbackAddress(address) ||
      address === normalizeAddress(this.listenHost) ||
      address === normalizeAddress(localAddress ?? '')
    );
  }

  /** An Origin is ours when it is `http://` plus the Host header, and that Host names us. */
  private ownOrigin(request: Arrival): boolean {
    if (request.host === undefined || !this.namesUs(request.host, request.localAddress)) return false;
    return request.origin!.toLowerCase() === `http://${request.host.toLowerCase()}`;
  }
}

export function isControlPath(path: string): boolean {
  return path === '/v1' || path.startsWith('/v1/');
}

/** The lower-case host name of a Host header (`[::1]:8080` -> `::1`, `Example.:80` -> `example`), or undefined. */
export function hostName(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+))(?::\d{1,5})?$/.exec(header.trim());
  if (!match) return undefined;
  const name = (match[1] ?? match[2] ?? '').toLowerCase().replace(/\.$/, '');
  return name === '' ? undefined : name;
}

/** The canonical text of an IP address (IPv4-mapped IPv6 as IPv4), or undefined when it is not one. */
function normalizeAddress(text: string): string | undefined {
  try {
    return ipaddr.process(text.replace(/%.*$/, '')).toString();
  } catch {
    return undefined;
  }
}

function isLoopbackAddress(address: string): boolean {
  const normalized = normalizeAddress(address);
  return normalized !== undefined && isLoopbackBind(normalized);
}

function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]!.trim().toLowerCase();
}

function bearerMatches(header: string | undefined, token: string): boolean {
  const match = /^Bearer (.+)$/i.exec(header ?? '');
  if (!match) return false;
  const given = Buffer.from(match[1]!.trim());
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function refuse(status: number, error: string): AdminReply {
  return { status, json: { error } };
}

/** What the admin server enforces, from the validated settings: the allow list, the Host names and the token. */
export function accessSettings(config: { readonly allow: readonly string[] } & Pick<AdminSettings, 'httpHosts' | 'httpToken'>): AccessSettings {
  return { allow: new AllowList(config.allow), hosts: config.httpHosts, ...(config.httpToken !== null ? { token: config.httpToken } : {}) };
}
