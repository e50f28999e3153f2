// Reload requests coalesce (issue 15 item 6): a burst of SIGHUPs or --watch
// events costs at most the reload running and one more. In process, with a
// reader we hold open, so "running" and "pending" are facts, not timings.

import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config.js';
import { loadCluster } from '../../src/pipeline/index.js';
import { LiveCluster } from '../../src/live/index.js';
import { silentLogger } from '../../src/log.js';
import { parseManifestText, type LoadResult } from '../../src/manifests/index.js';
import { dbManifest } from '../helpers/live.js';

/** A LiveCluster whose reloads read `text()` through a gate the test opens. */
async function gated(text: () => string) {
  const config = validateConfig({ manifests: ['<test>'], upstreams: [] });
  if (!config.ok) throw new Error(config.problems.join('\n'));
  const read = (): LoadResult => parseManifestText(text(), 'db.yaml');
  const load = await loadCluster(config.config, silentLogger(), { sources: async () => read() });
  if (!load.ok) throw new Error('initial load failed');
  let reads = 0;
  let opened: (() => void)[] = [];
  let started: (() => void) | undefined;
  const cluster = new LiveCluster({
    config: config.config,
    logger: silentLogger(),
    reverseFallthrough: false,
    load: load.load,
    cluster: load.cluster,
    swap: () => undefined,
    loadSources: async () => {
      reads++;
      started?.();
      await new Promise<void>((resolve) => opened.push(resolve));
      return read();
    },
  });
  return {
    cluster,
    reads: () => reads,
    /** Resolves once a reload has started reading. */
    nextRead: () => new Promise<void>((resolve) => (started = resolve)),
    /** Lets every reload waiting on the gate read. */
    open: () => {
      const waiting = opened;
      opened = [];
      for (const resolve of waiting) resolve();
    },
  };
}

const dbAddresses = (cluster: LiveCluster): string[] =>
  cluster.current.index.records().filter((r) => r.name === 'db.default.svc.cluster.local' && r.data.type === 'A').map((r) => (r.data as { address: string }).address);

describe('reload requests coalesce', () => {
  it('500 requests while none runs: one reload', async () => {
    let ips = ['10.0.0.1'];
    const live = await gated(() => dbManifest(ips));
    ips = ['10.0.0.2'];
    const results = Array.from({ length: 500 }, () => live.cluster.reload('SIGHUP'));
    const reading = live.nextRead();
    await reading;
    live.open();
    const settled = await Promise.all(results);
    expect(live.reads()).toBe(1);
    expect(new Set(settled).size).toBe(1);
    expect(dbAddresses(live.cluster)).toEqual(['10.0.0.2']);
  });

  it('500 requests while one runs: that one and one more, which reads the last edit', async () => {
    let ips = ['10.0.0.1'];
    const live = await gated(() => dbManifest(ips));
    const reading = live.nextRead();
    const first = live.cluster.reload('SIGHUP');
    await reading;
    // The running reload already read its gate; edits now are the pending one's.
    ips = ['10.0.0.3'];
    const burst = Array.from({ length: 499 }, (_, i) => live.cluster.reload(i % 2 === 0 ? 'SIGHUP' : 'watch'));
    const second = live.nextRead();
    live.open();
    await first;
    await second;
    live.open();
    await Promise.all(burst);
    expect(live.reads()).toBe(2);
    expect(dbAddresses(live.cluster)).toEqual(['10.0.0.3']);
    // Idle again: the next request is a reload of its own.
    const again = live.nextRead();
    const third = live.cluster.reload('SIGHUP');
    await again;
    live.open();
    await third;
    expect(live.reads()).toBe(3);
  });
});
