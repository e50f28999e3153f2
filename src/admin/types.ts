// The admin server's request, reply and context shapes, in a module of their
// own so that the router (routes.ts) and the handlers it calls (control.ts,
// access.ts) all depend on it rather than on each other.

import type { LiveCluster, ReloadError } from '../live/controller.js';
import type { Metrics } from './metrics.js';
import type { AllowList } from '../guard/acl.js';

export interface AdminRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly body: string;
}

export interface AdminReply {
  readonly status: number;
  readonly json?: unknown;
  readonly text?: string;
  readonly headers?: Record<string, string>;
}

export interface Readiness {
  /** Why we are not ready yet, or undefined once manifests are loaded and listeners bound. */
  readonly notReady: string | undefined;
  readonly lastReloadError: ReloadError | undefined;
}

export interface AdminContext {
  readiness(): Readiness;
  readonly metrics?: Metrics;
  /** Undefined until the manifests are loaded. */
  live(): LiveCluster | undefined;
  /** Who may call what (--allow, --http-host, the token): checked by the server before routing. */
  readonly access?: AccessSettings;
}

export interface AccessSettings {
  /** Every /v1 call needs `Authorization: Bearer <token>`; undefined = none. */
  readonly token?: string;
  /** Names (lower-case, no port) a /v1 request's Host may give besides loopback and our addresses (--http-host). */
  readonly hosts?: readonly string[];
  /** Clients outside it get 403 on every path; loopback clients are always let in. Undefined = everyone. */
  readonly allow?: AllowList;
}
