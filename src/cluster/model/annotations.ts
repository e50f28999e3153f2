// The `clusterdns.io/address` annotation: where the real thing that plays a
// Service or Pod lives in a test (a compose container, a local process).
// The A/AAAA answers of the object become that address; its cluster IP,
// its pod IPs and its DNS names stay what the cluster gives them.

import { parseIP } from './ip.js';
import type { Labels } from './model.js';

export const ADDRESS_ANNOTATION = 'clusterdns.io/address';

/**
 * What answers A/AAAA instead of the cluster's own addresses:
 * - `ip`: a literal (canonical text), answered as is;
 * - `hostname`: resolved through the upstream at answer time
 *   (lower-case, no trailing dot).
 */
export type AddressOverride =
  | { readonly kind: 'ip'; readonly ip: string }
  | { readonly kind: 'hostname'; readonly hostname: string };

const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Why `value` is not an IP literal or an RFC 1123 hostname; undefined when it is one. */
export function addressAnnotationProblem(value: string): string | undefined {
  if (parseIP(value)) return undefined;
  const name = value.toLowerCase().replace(/\.$/, '');
  if (name.length === 0) return 'expected an IP address or a hostname, got an empty value';
  if (name.length > 253 || !name.split('.').every((label) => label.length <= 63 && LABEL.test(label))) {
    return (
      `expected an IP address (e.g. "172.18.0.5", "fd00::5") or an RFC 1123 hostname ` +
      `(letters, digits and '-', dot-separated, e.g. "orders" or "orders.test.internal"), got ${JSON.stringify(value)}`
    );
  }
  return undefined;
}

/** The override an object's annotations ask for; undefined when absent or invalid (the loader reported it). */
export function addressOverrideOf(annotations: Labels): AddressOverride | undefined {
  const value = annotations[ADDRESS_ANNOTATION];
  if (value === undefined || addressAnnotationProblem(value) !== undefined) return undefined;
  const ip = parseIP(value);
  if (ip) return { kind: 'ip', ip: ip.text };
  return { kind: 'hostname', hostname: value.toLowerCase().replace(/\.$/, '') };
}
