// One array per distinct port list. A 10,000-Service cluster has a handful
// of distinct lists (`http 80/TCP`, …), repeated on every Service and on
// every endpoint; they are readonly, so all of them share one copy.

import type { NamedPort } from './state.js';

export class PortLists {
  private readonly lists = new Map<string, readonly NamedPort[]>();

  /**
   * The list equal to `ports` seen first (or `ports` itself, from now on the
   * shared one). With `make`, `ports` are read as written and made into
   * NamedPorts only when the list is new: a reload meets every list again.
   */
  intern<T extends NamedPort>(ports: readonly T[], make?: (port: T) => NamedPort): readonly NamedPort[] {
    let key = '';
    for (const port of ports) key += `${port.name || ''}/${port.protocol}/${port.port},`;
    const known = this.lists.get(key);
    if (known) return known;
    const list = make ? ports.map(make) : ports;
    this.lists.set(key, list);
    return list;
  }
}
