// Name rules of the API server (spec §1 "Object names"), as checks that
// record a problem on the field. Messages follow the API server's wording so
// users recognise them, and always show the offending value.

import { parseIP } from '../../cluster/index.js';
import type { Field } from './reader.js';

const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_RULE =
  "a lowercase RFC 1123 label (lower-case letters, digits and '-', starting and ending with a letter or digit, e.g. 'my-name' or '123-abc')";
const SUBDOMAIN_RULE =
  "a lowercase RFC 1123 subdomain (dot-separated labels of lower-case letters, digits and '-', each starting and ending with a letter or digit, e.g. 'example.com')";

export function isDNSSubdomain(value: string): boolean {
  return value.length <= 253 && value.split('.').every((label) => LABEL.test(label));
}

/** Reads a required-or-optional RFC 1123 label (Namespace/Service/Pod/StatefulSet names, hostname, subdomain). */
export function readLabelName(field: Field, options?: { required?: boolean; emptyIsAbsent?: boolean }): string | undefined {
  const value = field.string(options);
  if (value === undefined || (value === '' && options?.emptyIsAbsent)) return undefined;
  if (value.length > 63) {
    return field.error(`expected ${LABEL_RULE} of at most 63 characters, got ${value.length} characters ("${value}")`);
  }
  return LABEL.test(value) ? value : field.expected(LABEL_RULE);
}

/** Reads an RFC 1123 subdomain (names of the other kinds, ExternalName targets). */
export function readSubdomainName(field: Field, options?: { required?: boolean }): string | undefined {
  const value = field.string(options);
  if (value === undefined) return undefined;
  if (value.length > 253) {
    return field.error(`expected ${SUBDOMAIN_RULE} of at most 253 characters, got ${value.length} characters`);
  }
  return isDNSSubdomain(value) ? value : field.expected(SUBDOMAIN_RULE);
}

/**
 * Why `value` is not an IANA service name (port names; Kubernetes
 * IsValidPortName), or undefined when it is one. These names become the
 * `_<name>` label of SRV queries.
 */
export function portNameProblem(value: string): string | undefined {
  if (value.length === 0 || value.length > 15) return 'must be 1-15 characters';
  if (!/^[-a-z0-9]+$/.test(value)) return "must contain only lower-case letters, digits and '-'";
  if (!/[a-z]/.test(value)) return 'must contain at least one letter';
  if (value.startsWith('-') || value.endsWith('-')) return "must not begin or end with '-'";
  if (value.includes('--')) return "must not contain '--'";
  return undefined;
}

/** A port name; `""` is the same as absent (the API writes unnamed ports that way). */
export function readPortName(field: Field): string | undefined {
  const value = field.string();
  if (value === undefined || value === '') return undefined;
  const problem = portNameProblem(value);
  if (problem === undefined) return value;
  return field.error(`expected an IANA service name (${problem}, e.g. "http" or "grpc-web"), got ${JSON.stringify(value)}`);
}

/**
 * A Service, Endpoints or EndpointSlice port name; `""` is the same as absent.
 * The API server checks these as DNS-1123 labels (up to 63 characters,
 * ValidateDNS1123Label); the 15-character IANA limit is for container ports
 * only (and the targetPorts naming them). They become `_<name>` SRV labels.
 */
export function readServicePortName(field: Field): string | undefined {
  const value = field.string();
  if (value === undefined || value === '') return undefined;
  if (value.length > 63) {
    return field.error(`expected ${LABEL_RULE} of at most 63 characters, got ${value.length} characters ("${value}")`);
  }
  return LABEL.test(value) ? value : field.expected(LABEL_RULE);
}

export type IPKind = 'IPv4' | 'IPv6' | 'any';

/** Reads an IP literal, optionally of one family; returns it as written. */
export function readIP(field: Field, family: IPKind, options?: { required?: boolean }): string | undefined {
  const what = family === 'any' ? 'an IP address' : `an ${family} address`;
  const value = field.string(options);
  if (value === undefined) return undefined;
  const parsed = parseIP(value);
  if (!parsed || (family !== 'any' && parsed.family !== family)) return field.expected(what);
  return value;
}
