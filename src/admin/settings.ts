// The admin server's access settings as a user gives them: the bearer token
// from one of three sources, and the extra Host names (--http-host).

import { readFileSync } from 'node:fs';
import ipaddr from 'ipaddr.js';
import type { Config } from '../config.js';
import { AllowList } from '../guard/acl.js';
import type { AccessSettings } from './access.js';

/** The environment variable the CLI reads a token from when no flag gives one. */
export const TOKEN_ENV = 'CLUSTERDNS_HTTP_TOKEN';

export interface TokenSources {
  /** --http-token TOKEN */
  readonly token?: unknown;
  /** --http-token-file FILE: the file's text, surrounding whitespace removed (a secret file's final newline). */
  readonly tokenFile?: unknown;
  /** CLUSTERDNS_HTTP_TOKEN, used when neither flag is given. */
  readonly env?: unknown;
}

/** The token, or null for none; a problem for two flags at once, an unreadable file, an empty or non-printable token. */
export function resolveToken(sources: TokenSources, problems: string[]): string | null {
  const given = (value: unknown): boolean => value !== undefined && value !== null;
  if (given(sources.token) && given(sources.tokenFile)) {
    problems.push('give the control API token once: --http-token or --http-token-file, not both');
    return null;
  }
  if (given(sources.token)) return checked(String(sources.token), '--http-token', problems);
  if (given(sources.tokenFile)) {
    const file = String(sources.tokenFile);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      problems.push(`--http-token-file: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      return null;
    }
    return checked(text.trim(), `--http-token-file ${file}`, problems);
  }
  if (given(sources.env)) return checked(String(sources.env), TOKEN_ENV, problems);
  return null;
}

function checked(token: string, source: string, problems: string[]): string | null {
  if (token === '') {
    problems.push(`${source} gives an empty token; give one, or unset it for none`);
    return null;
  }
  if (!/^[\x21-\x7e]+$/.test(token)) {
    problems.push(`${source}: the token must be printable ASCII without spaces`);
    return null;
  }
  return token;
}

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/;

/** --http-host values: DNS names or IP addresses, no port; lower-case, trailing dot dropped. */
export function validateHttpHosts(value: unknown, problems: string[]): string[] {
  if (value === undefined || value === null) return [];
  const entries = (Array.isArray(value) ? value : [value]).map(String).flatMap((entry) => entry.split(','));
  const hosts: string[] = [];
  for (const entry of entries.map((text) => text.trim())) {
    const name = entry.toLowerCase().replace(/\.$/, '').replace(/^\[(.*)\]$/, '$1');
    if (ipaddr.isValid(name)) hosts.push(ipaddr.process(name).toString());
    else if (HOST_NAME.test(name)) hosts.push(name);
    else problems.push(`--http-host must be a host name or address without a port, like clusterdns or dns.test, got ${JSON.stringify(entry)}`);
  }
  return hosts;
}

/** What the admin server enforces, from the validated config: --allow, --http-host and the token. */
export function accessSettings(config: Pick<Config, 'allow' | 'httpHosts' | 'httpToken'>): AccessSettings {
  return { allow: new AllowList(config.allow), hosts: config.httpHosts, ...(config.httpToken !== null ? { token: config.httpToken } : {}) };
}
