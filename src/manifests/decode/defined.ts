// How decoded objects are built: they live as long as the server (the
// loader keeps them for the next reload), so at 150,000 pods their layout
// shows in the RSS.
//
// Model objects leave absent fields out (`'name' in port` is false, not
// undefined). The idiom `{ ...(name === undefined ? {} : { name }), port }`
// gets a new V8 hidden class per object once the decoder is optimized
// (20,000 service and container ports alone kept 3 MB of them), while
// objects built by plain assignment in the same key order share one.

/** `fields` without its undefined ones, as a new object whose shape is shared with every other of the same fields. */
export function definedFields<T extends object>(fields: T): T {
  const out: Partial<T> = {};
  for (const key in fields) {
    const value = fields[key];
    if (value !== undefined) out[key] = value;
  }
  return out as T;
}

/**
 * A copy of `items` without spare room. An array grown by push() from empty
 * keeps room for 16 more items (128 bytes), and decoded objects keep tens of
 * thousands of short lists (ports, cluster IPs) for as long as they live.
 */
export function trimmed<T>(items: T[]): T[] {
  return items.slice();
}
