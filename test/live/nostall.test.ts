// No stalls (issue 19 item 2, issue 15 item 4): a reload builds the next
// state in slices and the old state answers between them. In process, with a
// real server and the real `dig`; the build is held at one of its pauses, so
// "answered while the reload runs" is a fact, not a timing.

import { afterEach, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/app/index.js';
import { LiveCluster } from '../../src/live/index.js';
import { silentLogger } from '../../src/log.js';
import { runNow, Slicer, sortSteps, type Steps } from '../../src/cluster/slicer.js';
import { dig } from '../helpers/dig.js';
import { dbManifest, serveManifestText } from '../helpers/live.js';

const DB = 'db.default.svc.cluster.local';

/** Many services, so a build has many slices. */
function manifests(ips: readonly string[], services = 300): string {
  const others = Array.from({ length: services }, (_, i) => `---\napiVersion: v1\nkind: Service\nmetadata: {name: s${i}}\nspec: {ports: [{port: 80}]}\n`);
  return [dbManifest(ips), ...others].join('');
}

let server: RunningServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('a reload never blocks the answers of the old state', () => {
  it('a query sent while the build is held at a pause is answered from the old state; the swap brings the new one whole', async () => {
    let text = manifests(['10.0.0.1', '10.0.0.2']);
    const served = await serveManifestText(() => text);
    const { config, load, sources } = served;
    const running = served.server;
    server = running;
    let pauses = 0;
    let held: (() => void) | undefined;
    const reachedHold = new Promise<void>((resolve) => (held = resolve));
    let release: (() => void) | undefined;
    const live = new LiveCluster({
      config,
      logger: silentLogger(),
      reverseFallthrough: false,
      load: load.load,
      cluster: load.cluster,
      swap: (next) => running.swap(next),
      loadSources: sources,
      slices: {
        // Every step is its own slice; the fifth pause (one before the swap) is held until the test releases it.
        sliceMs: 0,
        pause: () => {
          pauses++;
          if (pauses !== 5) return new Promise((resolve) => setImmediate(resolve));
          held?.();
          return new Promise<void>((resolve) => (release = resolve));
        },
      },
    });
    const before = live.current;
    text = manifests(['10.0.1.1', '10.0.1.2', '10.0.1.3']);
    let finished = false;
    const reloading = live.reload('test').then((result) => {
      finished = true;
      return result;
    });
    await reachedHold;
    const during = await dig(running.dns.port, [DB, 'A']);
    expect(during.status).toBe('NOERROR');
    expect(during.answer.map((line) => line.split(' ').pop()).sort()).toEqual(['10.0.0.1', '10.0.0.2']);
    expect(finished).toBe(false);
    expect(live.current).toBe(before);
    expect(running.cluster).toBe(before);
    release!();
    const result = await reloading;
    expect(result.kind).toBe('changed');
    expect(pauses).toBeGreaterThan(5);
    const after = await dig(running.dns.port, [DB, 'A']);
    expect(after.answer.map((line) => line.split(' ').pop()).sort()).toEqual(['10.0.1.1', '10.0.1.2', '10.0.1.3']);
  });
});

describe('Slicer', () => {
  function* counting(items: number, seen: number[]): Steps<number> {
    for (let i = 0; i < items; i++) {
      seen.push(i);
      yield;
    }
    return items;
  }

  it('runNow runs steps straight through to their result', () => {
    const seen: number[] = [];
    expect(runNow(counting(5, seen))).toBe(5);
    expect(seen).toEqual([0, 1, 2, 3, 4]);
  });

  it('pauses at a yield once a slice has used its time, and I/O callbacks run in the pause', async () => {
    const order: string[] = [];
    const slicer = new Slicer({
      sliceMs: 0,
      pause: () => new Promise((resolve) => setImmediate(() => (order.push('pause'), resolve()))),
    });
    const seen: number[] = [];
    const done = slicer.run(counting(3, seen)).then((value) => order.push(`done ${value}`));
    setImmediate(() => order.push('other callback'));
    await done;
    expect(order[0]).toBe('pause');
    expect(order).toContain('other callback');
    expect(order.at(-1)).toBe('done 3');
    expect(slicer.pauses).toBe(3);
  });

  it('sortSteps gives what a stable native sort gives, ties in input order, for lengths around its run size', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (const length of [0, 1, 2, 255, 256, 257, 511, 512, 1000, 3000]) {
      const items = Array.from({ length }, (_, index) => ({ key: Math.floor(random() * 50), index }));
      const compare = (a: { key: number }, b: { key: number }) => a.key - b.key;
      let steps = 0;
      const sorted = sortSteps(items, compare);
      let next = sorted.next();
      for (; !next.done; next = sorted.next()) steps++;
      expect(next.value).toEqual([...items].sort(compare));
      if (length > 1000) expect(steps).toBeGreaterThan(10);
    }
  });

  it('does not pause while a slice has time left', async () => {
    const slicer = new Slicer({ sliceMs: 60_000 });
    expect(await slicer.run(counting(1000, []))).toBe(1000);
    expect(slicer.pauses).toBe(0);
  });
});
