// In a container on a compose network, /etc/resolv.conf names Docker's
// embedded DNS, 127.0.0.11, and the image listens on 0.0.0.0:53. That address
// is NATed to dockerd, not this server, so it must stay the upstream (it is
// what resolves compose service names), while a nameserver that really is
// this server is still dropped.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig, type Config } from '../../src/config.js';
import { resolveUpstreams } from '../../src/forward/index.js';
import { silentLogger } from '../../src/log.js';

let temp = '';
beforeAll(async () => {
  temp = await mkdtemp(path.join(tmpdir(), 'clusterdns-resolv-'));
});
afterAll(() => rm(temp, { recursive: true, force: true }));

async function upstreamsFor(resolvConf: string, bind: string): Promise<string[]> {
  const file = path.join(temp, 'resolv.conf');
  await writeFile(file, resolvConf);
  const result = validateConfig({ bind, port: 53, resolvConf: file });
  if (!result.ok) throw new Error(result.problems.join('; '));
  const config: Config = result.config;
  return (await resolveUpstreams(config, silentLogger())).map((u) => `${u.host}:${u.port}`);
}

describe('the default upstream in a container', () => {
  it.each([
    { what: "Docker's embedded DNS, bound everywhere", resolv: 'nameserver 127.0.0.11\noptions ndots:0\n', bind: '0.0.0.0', upstreams: ['127.0.0.11:53'] },
    { what: 'a pod-like resolv.conf naming ourselves', resolv: 'nameserver 127.0.0.1\n', bind: '0.0.0.0', upstreams: [] },
    { what: 'ourselves among others', resolv: 'nameserver 127.0.0.1\nnameserver 127.0.0.11\n', bind: '0.0.0.0', upstreams: ['127.0.0.11:53'] },
    { what: 'another loopback address, bound everywhere', resolv: 'nameserver 127.0.0.53\n', bind: '0.0.0.0', upstreams: [] },
    { what: '127.0.0.11 when that is exactly our address', resolv: 'nameserver 127.0.0.11\n', bind: '127.0.0.11', upstreams: [] },
  ])('$what', async ({ resolv, bind, upstreams }) => {
    expect(await upstreamsFor(resolv, bind)).toEqual(upstreams);
  });
});
