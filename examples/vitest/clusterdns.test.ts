// Example: clusterdns inside a vitest suite. Copy this file into your project
// (`npm install --save-dev clusterdns`), keep the import as it is, and point
// the code under test at `dns.udp` instead of the machine's resolver.
//
// In this repository it runs in CI against the built package (`npm run build`),
// imported by its own name like any other user would.

import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startClusterDns, type ClusterDns } from 'clusterdns';

const manifests = fileURLToPath(new URL('./cluster.yaml', import.meta.url));
let dns: ClusterDns;
let resourcesBefore: string[];

beforeAll(async () => {
  resourcesBefore = activeHandles();
  // Port 0: a free port. No `upstreams`: names outside the cluster get
  // REFUSED, so the test never leaves the machine.
  dns = await startClusterDns({ manifests: [manifests] });
});

afterAll(async () => {
  await dns.close();
  // Nothing of clusterdns is left running (sockets, watchers, timers): no
  // handle that was not there before (the runner's own may have gone).
  const left = [...resourcesBefore];
  const extra = activeHandles().filter((kind) => {
    const i = left.indexOf(kind);
    if (i < 0) return true;
    left.splice(i, 1);
    return false;
  });
  expect(extra).toEqual([]);
});

it('answers like the cluster: service IP and the ready pods of the headless service', async () => {
  const resolver = dns.resolver();
  expect(await resolver.resolve4('userlist-svc.user03.svc.cluster.local')).toEqual(['10.43.113.209']);
  expect(await resolver.resolve4('userlist-svc-hl.user03.svc.cluster.local')).toHaveLength(2);
});

it('follows the cluster as the test changes it: scale, readiness, new objects', async () => {
  const resolver = dns.resolver();
  const headless = 'userlist-svc-hl.user03.svc.cluster.local';

  await dns.scale('Deployment', 'user03', 'userlist', 3);
  const pods = await resolver.resolve4(headless);
  expect(pods).toHaveLength(3);

  // Take one pod out of rotation, the way a failing readiness probe does.
  const [first] = dns.pods('user03');
  await dns.setReady('user03', first!.name, false);
  const remaining = pods.filter((ip) => !first!.ips.includes(ip));
  expect((await resolver.resolve4(headless)).sort()).toEqual(remaining.sort());

  // Add what the test needs on the fly.
  await dns.apply(`
apiVersion: v1
kind: Service
metadata: {name: orders, namespace: user03}
spec: {clusterIP: 10.43.0.80, ports: [{name: http, port: 8080}]}
`);
  // toMatchObject: Node 24's resolver adds `type: 'SRV'` to each record; Node 20's does not.
  expect(await resolver.resolveSrv('_http._tcp.orders.user03.svc.cluster.local')).toMatchObject([
    { name: 'orders.user03.svc.cluster.local', port: 8080, priority: 0, weight: 100 },
  ]);

  // No ready pods: a headless name does not exist (NXDOMAIN), as in CoreDNS.
  await dns.scale('Deployment', 'user03', 'userlist', 0);
  await expect(resolver.resolve4(headless)).rejects.toMatchObject({ code: 'ENOTFOUND' });
});

function activeHandles(): string[] {
  // In-flight file-system requests belong to the test runner.
  return process
    .getActiveResourcesInfo()
    .filter((kind) => !kind.startsWith('FSReq') && kind !== 'CloseReq')
    .sort();
}
