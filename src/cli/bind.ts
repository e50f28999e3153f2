// `--bind NAME`: a host name (localhost, the machine's own name) is looked up
// once, before the configuration is validated, so the rest of serve sees an
// address. An IP address is passed through untouched; so is anything that is
// neither (validateConfig reports it), including dotted numbers such as
// `1.2.3`, which the system resolver would otherwise read as 1.2.0.3.

import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

const HOST_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*\.?$/i;

/** True for a name worth asking the resolver about: a DNS name whose last label is not all digits. */
export function isBindHostName(value: string): boolean {
  if (isIP(value) !== 0 || !HOST_NAME.test(value)) return false;
  const last = value.replace(/\.$/, '').split('.').at(-1) ?? '';
  return !/^\d+$/.test(last);
}

/**
 * The address to bind for --bind VALUE: VALUE itself unless it is a host
 * name, else its first address (IPv4 first, as `localhost` should mean
 * 127.0.0.1), or an Error that says the name does not resolve.
 */
export async function resolveBind(value: string | undefined): Promise<string | undefined | Error> {
  if (value === undefined || !isBindHostName(value)) return value;
  try {
    const { address } = await lookup(value, { family: 0, verbatim: false });
    return address;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return new Error(`--bind ${JSON.stringify(value)} is not an address, and the name does not resolve (${String(code ?? error)})`);
  }
}
