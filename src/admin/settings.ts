// The admin server's settings as a user gives them: the listener (--http),
// the bearer token from one of three sources, the extra Host names
// (--http-host), and the query log; their defaults and validator.

import { readFileSync } from 'node:fs';
import ipaddr from 'ipaddr.js';
import { at, problem, show, type Problems } from '../settings.js';

/** The environment variable the CLI reads a token from when no flag gives one. */
export const TOKEN_ENV = 'CLUSTERDNS_HTTP_TOKEN';

export interface AdminSettings {
  /** The admin HTTP server: health, ready, metrics, control API; null = off. */
  readonly http: { readonly host: string; readonly port: number } | null;
  /** Bearer token every /v1 call must carry (from httpToken, httpTokenFile or CLUSTERDNS_HTTP_TOKEN); null = none. */
  readonly httpToken: string | null;
  /** Host names /v1 requests may give besides loopback and the listener's addresses. */
  readonly httpHosts: readonly string[];
}

/** The query log's one setting: one log line per query. */
export interface QueryLogSettings {
  readonly logQueries: boolean;
}

/** `httpTokenFile` and `httpTokenEnv` are the token's other sources (they are not kept: the token is). */
export type AdminField = 'http' | 'httpToken' | 'httpTokenFile' | 'httpTokenEnv' | 'httpHosts';

export const ADMIN_DEFAULTS: AdminSettings = { http: null, httpToken: null, httpHosts: [] };
export const QUERY_LOG_DEFAULTS: QueryLogSettings = { logQueries: false };

export type RawAdminSettings = { [K in keyof AdminSettings]?: unknown } & {
  /** A file holding the token: its text, surrounding whitespace removed (a secret file's final newline). */
  httpTokenFile?: unknown;
  /** CLUSTERDNS_HTTP_TOKEN as the CLI read it; used when neither httpToken nor httpTokenFile is given. */
  httpTokenEnv?: unknown;
};

export function validateAdmin(raw: RawAdminSettings, problems: Problems<AdminField>): AdminSettings {
  const http = validateHttp(raw.http, problems);
  const httpToken = resolveToken(raw, http !== null, problems);
  const httpHosts = validateHttpHosts(raw.httpHosts, problems);
  for (const field of ['httpToken', 'httpTokenFile', 'httpHosts'] as const) {
    if (raw[field] !== undefined && raw[field] !== null && http === null) problems.push(problem`${at(field)} needs ${at('http')} ADDR:PORT`);
  }
  return { http, httpToken, httpHosts };
}

export function validateQueryLog(raw: { logQueries?: unknown }): QueryLogSettings {
  return { logQueries: raw.logQueries === true };
}

/** `ADDR:PORT`, `[v6]:PORT` or `:PORT` (loopback: the control API is not for the network by default). */
function validateHttp(value: unknown, problems: Problems<AdminField>): AdminSettings['http'] {
  if (value === null || value === undefined || value === false) return null;
  if (typeof value === 'object') return value as AdminSettings['http'];
  const text = String(value);
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(text);
  const host = match ? (match[1] ?? match[2] ?? '') || '127.0.0.1' : '';
  const port = match ? Number(match[3]) : NaN;
  if (!match || !ipaddr.isValid(host) || !(port >= 0 && port <= 65535)) {
    problems.push(problem`${at('http')} must be ADDR:PORT like 127.0.0.1:8080, [::1]:8080 or :8080 (loopback), got ${show(value)}`);
    return null;
  }
  return { host, port };
}

/** The token, or null for none; a problem for two sources at once, an unreadable file, an empty or non-printable token. */
function resolveToken(raw: RawAdminSettings, httpOn: boolean, problems: Problems<AdminField>): string | null {
  const given = (value: unknown): boolean => value !== undefined && value !== null;
  if (given(raw.httpToken) && given(raw.httpTokenFile)) {
    problems.push(problem`give the control API token once: ${at('httpToken')} or ${at('httpTokenFile')}, not both`);
    return null;
  }
  if (given(raw.httpToken)) return checked(String(raw.httpToken), 'httpToken', '', problems);
  if (given(raw.httpTokenFile)) {
    const file = String(raw.httpTokenFile);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      problems.push(problem`${at('httpTokenFile')}: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      return null;
    }
    return checked(text.trim(), 'httpTokenFile', ` ${file}`, problems);
  }
  // The environment counts only with the admin server on: it may be set for other reasons.
  if (httpOn && given(raw.httpTokenEnv)) return checked(String(raw.httpTokenEnv), 'httpTokenEnv', '', problems);
  return null;
}

function checked(token: string, source: AdminField, detail: string, problems: Problems<AdminField>): string | null {
  if (token === '') {
    problems.push(problem`${at(source)}${detail} gives an empty token; give one, or unset it for none`);
    return null;
  }
  if (!/^[\x21-\x7e]+$/.test(token)) {
    problems.push(problem`${at(source)}${detail}: the token must be printable ASCII without spaces`);
    return null;
  }
  return token;
}

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/;

/** DNS names or IP addresses, no port; lower-case, trailing dot dropped. */
function validateHttpHosts(value: unknown, problems: Problems<AdminField>): string[] {
  if (value === undefined || value === null) return [];
  const entries = (Array.isArray(value) ? value : [value]).map(String).flatMap((entry) => entry.split(','));
  const hosts: string[] = [];
  for (const entry of entries.map((text) => text.trim())) {
    const name = entry.toLowerCase().replace(/\.$/, '').replace(/^\[(.*)\]$/, '$1');
    if (ipaddr.isValid(name)) hosts.push(ipaddr.process(name).toString());
    else if (HOST_NAME.test(name)) hosts.push(name);
    else problems.push(problem`${at('httpHosts')} must be a host name or address without a port, like clusterdns or dns.test, got ${JSON.stringify(entry)}`);
  }
  return hosts;
}
