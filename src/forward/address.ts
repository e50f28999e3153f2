// Upstream addresses as users write them: flags, Corefile-like stub domains,
// and resolv.conf nameserver lines.

import { readFile } from 'node:fs/promises';
import ipaddr from 'ipaddr.js';
import type { StubDomain, UpstreamAddress } from './types.js';

export const DNS_PORT = 53;

/** The canonical text of an IP literal, or undefined when it is not one. */
export function normalizeHost(text: string): string | undefined {
  if (!ipaddr.isValid(text)) return undefined;
  if (ipaddr.IPv4.isValid(text) && !ipaddr.IPv4.isValidFourPartDecimal(text)) return undefined;
  return ipaddr.parse(text).toString();
}

/** "host:port", with brackets for IPv6: the key of an upstream in stats and logs. */
export function endpointKey(address: UpstreamAddress): string {
  return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}

export function isIPv6(host: string): boolean {
  return host.includes(':');
}

/** "1.2.3.4", "1.2.3.4:5353", "[::1]:5353", "::1", optionally prefixed "dns://". */
export function parseUpstream(text: string): UpstreamAddress | Error {
  const raw = text.trim().replace(/^dns:\/\//i, '');
  let hostText = raw;
  let portText: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(raw);
  if (bracketed) {
    hostText = bracketed[1] ?? '';
    portText = bracketed[2];
  } else if (raw.split(':').length === 2) {
    const [host, port] = raw.split(':');
    hostText = host ?? '';
    portText = port;
  }
  const host = normalizeHost(hostText);
  if (!host) return new Error(`upstream "${text}" is not an IP address (forms: 1.2.3.4, 1.2.3.4:53, ::1, [::1]:53)`);
  if (portText === undefined) return { host, port: DNS_PORT };
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port < 1 || port > 65535) {
    return new Error(`upstream "${text}" has port "${portText}", which must be 1-65535`);
  }
  return { host, port };
}

/** "corp.example=10.0.0.1[:port][,10.0.0.2...]": names under corp.example go to those servers. */
export function parseStubDomain(text: string): StubDomain | Error {
  const equals = text.indexOf('=');
  if (equals < 0) return new Error(`stub domain "${text}" must look like domain=ip[:port][,ip...]`);
  const suffix = text.slice(0, equals).trim().replace(/\.$/, '').toLowerCase();
  const labels = suffix.split('.');
  const validLabel = /^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$/;
  if (suffix === '' || labels.some((label) => !validLabel.test(label))) {
    return new Error(`stub domain "${text}": "${suffix}" is not a domain name`);
  }
  const upstreams: UpstreamAddress[] = [];
  for (const part of text.slice(equals + 1).split(',')) {
    const upstream = parseUpstream(part);
    if (upstream instanceof Error) return new Error(`stub domain "${text}": ${upstream.message}`);
    upstreams.push(upstream);
  }
  return { suffix, upstreams };
}

/**
 * The `nameserver` lines of a resolv.conf, in order, port 53. Scope ids
 * (`fe80::1%eth0`) are dropped; lines that are not IP literals are skipped.
 * Rejects only when the file cannot be read.
 */
export async function readResolvConf(file: string): Promise<UpstreamAddress[]> {
  return parseResolvConf(await readFile(file, 'utf8'));
}

export function parseResolvConf(text: string): UpstreamAddress[] {
  const found: UpstreamAddress[] = [];
  for (const line of text.split('\n')) {
    const fields = line.replace(/[#;].*$/, '').trim().split(/\s+/);
    if (fields[0] !== 'nameserver' || fields[1] === undefined) continue;
    const host = normalizeHost(fields[1].replace(/%.*$/, ''));
    if (host && !found.some((known) => known.host === host)) found.push({ host, port: DNS_PORT });
  }
  return found;
}
