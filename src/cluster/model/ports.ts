// One array per distinct port list. A 10,000-Service cluster has a handful
// of distinct lists (`http 80/TCP`, …), repeated on every Service and on
// every endpoint; they are readonly, so all of them share one copy.

import type { NamedPort } from './state.js';

export class PortLists {
  private readonly lists = new Map<string, readonly NamedPort[]>();

  /** The list equal to `ports` seen first (or `ports` itself, from now on the shared one). */
  intern(ports: readonly NamedPort[]): readonly NamedPort[] {
    let key = '';
    for (const port of ports) key += `${port.name ?? ''}/${port.protocol}/${port.port},`;
    const known = this.lists.get(key);
    if (known) return known;
    this.lists.set(key, ports);
    return ports;
  }
}
