// Reading a pod's IPs as the Pod holds them (PodIPs in state.ts): the one
// address itself for nearly every pod, an array only for a dual-stack pod or
// a pod without an address. ipCount/ipAt/hasIP read it without building an
// array (hot loops over 150,000 pods); ipList hands out a list for the cold
// paths (the API's PodListing, /v1 control, explain).

import type { PodIPs } from './state.js';

/** The IPs of every pod that has none (a status without podIP), and of pods not settled yet. */
export const NO_IPS: readonly string[] = Object.freeze([]);

/**
 * The compact form of `ips`: a one-address list becomes the address, an
 * empty one NO_IPS; a string, or a list of two, is kept as it is.
 */
export function packIPs(ips: PodIPs): PodIPs {
  if (typeof ips === 'string') return ips;
  if (ips.length === 1) return ips[0]!;
  return ips.length === 0 ? NO_IPS : ips;
}

export function ipCount(ips: PodIPs): number {
  return typeof ips === 'string' ? 1 : ips.length;
}

/** The `index`-th IP (podIPs order); undefined past the last. */
export function ipAt(ips: PodIPs, index: number): string | undefined {
  if (typeof ips === 'string') return index === 0 ? ips : undefined;
  return ips[index];
}

export function hasIP(ips: PodIPs, ip: string): boolean {
  return typeof ips === 'string' ? ips === ip : ips.includes(ip);
}

/** The same addresses in the same order, however each side holds them. */
export function sameIPs(a: PodIPs, b: PodIPs): boolean {
  const count = ipCount(a);
  if (count !== ipCount(b)) return false;
  for (let i = 0; i < count; i++) if (ipAt(a, i) !== ipAt(b, i)) return false;
  return true;
}

/** As a list, for cold paths: a new one-element array for a single address, else the pod's own (read-only) array. */
export function ipList(ips: PodIPs): readonly string[] {
  return typeof ips === 'string' ? [ips] : ips;
}
