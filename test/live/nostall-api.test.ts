// No stalls through the control API (issue 19 item 2, issue 15 item 4): an
// apply, a scale and a reset build the next state in slices like a file
// reload, and the old state answers between them. At every pause of the
// change a real DNS client asks the real server over UDP; each answer must be
// wholly the old state's (before the swap) or wholly the new one's (after
// it): no query waits for the build, and no answer mixes two states.

import { Resolver } from 'node:dns/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/app/index.js';
import { LiveCluster, type ChangeResult } from '../../src/live/index.js';
import { silentLogger } from '../../src/log.js';
import { serveManifestText } from '../helpers/live.js';

const ZONE = 'default.svc.cluster.local';

/** A StatefulSet of 2 behind a headless Service, and many services, so a change has many slices. */
const FILES = [
  `apiVersion: v1\nkind: Service\nmetadata: {name: nginx}\nspec: {clusterIP: None, selector: {app: web}, ports: [{port: 80}]}\n`,
  `---\napiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: web}\nspec: {serviceName: nginx, replicas: 2, selector: {matchLabels: {app: web}}, template: {metadata: {labels: {app: web}}}}\n`,
  ...Array.from({ length: 300 }, (_, i) => `---\napiVersion: v1\nkind: Service\nmetadata: {name: s${i}}\nspec: {ports: [{port: 80}]}\n`),
].join('');

let server: RunningServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** What one name answers (sorted A records), or the error code. */
type Answer = string;

interface Observed {
  /** At each pause: whether the new state was swapped in yet, and what the names answered. */
  readonly atPauses: { swapped: boolean; answers: Answer[] }[];
  readonly result: ChangeResult;
}

/** Run `change` with a pause at every step; at each pause ask every name in `names` over UDP. */
async function observe(change: (live: LiveCluster) => Promise<ChangeResult>, names: readonly string[], before?: (live: LiveCluster) => Promise<unknown>): Promise<Observed> {
  const served = await serveManifestText(() => FILES);
  const { config, load, sources } = served;
  const running = served.server;
  server = running;
  const resolver = new Resolver({ timeout: 2000, tries: 1 });
  resolver.setServers([`127.0.0.1:${running.dns.port}`]);
  const ask = (name: string): Promise<Answer> =>
    resolver.resolve4(name).then(
      (ips) => ips.sort().join(' '),
      (error: { code?: string }) => String(error.code),
    );
  let swapped = false;
  let observing = false;
  const atPauses: Observed['atPauses'] = [];
  const live = new LiveCluster({
    config,
    logger: silentLogger(),
    reverseFallthrough: false,
    load: load.load,
    cluster: load.cluster,
    swap: (next) => {
      running.swap(next);
      if (observing) swapped = true;
    },
    loadSources: sources,
    slices: {
      // Every step is its own slice; each pause lasts until every name is answered.
      sliceMs: 0,
      pause: async () => {
        if (observing) atPauses.push({ swapped, answers: await Promise.all(names.map(ask)) });
        else await new Promise((resolve) => setImmediate(resolve));
      },
    },
  });
  await before?.(live);
  observing = true;
  const result = await change(live);
  return { atPauses, result };
}

/** Every answer at a pause is `old` until the swap and `now` after it; both are seen. */
function expectWholeStates(observed: Observed, old: Answer[], now: Answer[]): void {
  expect(observed.result.kind).toBe('changed');
  const beforeSwap = observed.atPauses.filter((pause) => !pause.swapped);
  const afterSwap = observed.atPauses.filter((pause) => pause.swapped);
  // The build pauses many times: queries are answered all through it.
  expect(beforeSwap.length).toBeGreaterThan(20);
  expect(afterSwap.length).toBeGreaterThan(0);
  for (const pause of beforeSwap) expect(pause.answers).toEqual(old);
  for (const pause of afterSwap) expect(pause.answers).toEqual(now);
}

describe('the control API never blocks the answers of the old state', () => {
  it('apply: answered from the old state at every pause of the build, then wholly from the new one', async () => {
    const names = [`added.${ZONE}`, `nginx.${ZONE}`];
    const observed = await observe(
      (live) => live.apply(`apiVersion: v1\nkind: Service\nmetadata: {name: added}\nspec: {clusterIP: 10.96.200.1, ports: [{port: 80}]}\n`),
      names,
    );
    const web = observed.atPauses[0]!.answers[1]!;
    expect(web.split(' ')).toHaveLength(2);
    expectWholeStates(observed, ['ENOTFOUND', web], ['10.96.200.1', web]);
  });

  it('scale: the new pod and the service\'s third address appear together, never one without the other', async () => {
    const names = [`web-2.nginx.${ZONE}`, `nginx.${ZONE}`];
    const observed = await observe((live) => live.scale('StatefulSet', 'default', 'web', 3), names);
    const [, two] = observed.atPauses[0]!.answers;
    const last = observed.atPauses.at(-1)!.answers;
    expect(two!.split(' ')).toHaveLength(2);
    expect(last[1]!.split(' ')).toHaveLength(3);
    expect(last[1]!.split(' ')).toContain(last[0]);
    expectWholeStates(observed, ['ENOTFOUND', two!], last);
  });

  it('reset: the applied and scaled objects go in one swap', async () => {
    const names = [`added.${ZONE}`, `web-2.nginx.${ZONE}`];
    const observed = await observe(
      (live) => live.reset(),
      names,
      async (live) => {
        await live.apply(`apiVersion: v1\nkind: Service\nmetadata: {name: added}\nspec: {clusterIP: 10.96.200.1, ports: [{port: 80}]}\n`);
        await live.scale('StatefulSet', 'default', 'web', 3);
      },
    );
    const [added, pod] = observed.atPauses[0]!.answers;
    expect(added).toBe('10.96.200.1');
    expectWholeStates(observed, ['10.96.200.1', pod!], ['ENOTFOUND', 'ENOTFOUND']);
  });
});
