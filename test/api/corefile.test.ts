// The Node API's `corefile` option: the same Corefile settings as
// `serve --corefile`, options given winning over the file.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterDnsError, startClusterDns } from '../../src/index.js';
import { dig } from '../helpers/dig.js';
import { ROOT } from '../helpers/server-process.js';

const CLUSTER = path.join(ROOT, 'test/fixtures/corefile/cluster.yaml');
const COREFILE = `.:53 {
    rewrite name exact shop.example.com web.shop.svc.cluster.local
    hosts {
        192.0.2.10 gateway.internal
        fallthrough
    }
    kubernetes cluster.local in-addr.arpa ip6.arpa {
        ttl 30
    }
}
`;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'clusterdns-corefile-'));
  await writeFile(path.join(dir, 'Corefile'), COREFILE);
  await writeFile(path.join(dir, 'bad.Corefile'), '.:53 {\n  cache 0\n}\n');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('startClusterDns({ corefile })', () => {
  it('answers the Corefile rewrite and hosts entry, with its TTL', async () => {
    const dns = await startClusterDns({ manifests: CLUSTER, corefile: path.join(dir, 'Corefile') });
    try {
      expect((await dig(dns.port, ['shop.example.com'])).answer).toEqual(['shop.example.com. 30 IN A 10.96.0.50']);
      expect(await dns.resolver().resolve4('gateway.internal')).toEqual(['192.0.2.10']);
    } finally {
      await dns.close();
    }
  });

  it('options given win over the file', async () => {
    const dns = await startClusterDns({ manifests: CLUSTER, corefile: path.join(dir, 'Corefile'), ttl: 9 });
    try {
      expect((await dig(dns.port, ['web.shop.svc.cluster.local'])).answer).toEqual(['web.shop.svc.cluster.local. 9 IN A 10.96.0.50']);
    } finally {
      await dns.close();
    }
  });

  it('rejects a Corefile with mistakes, listing them', async () => {
    const error = await startClusterDns({ manifests: CLUSTER, corefile: path.join(dir, 'bad.Corefile') }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClusterDnsError);
    expect((error as ClusterDnsError).problems).toEqual([`${path.join(dir, 'bad.Corefile')}:2: cache: the cache TTL must be a positive number of seconds, got 0`]);
  });
});
