// Another container drives the control API over the network, with the bearer
// token, the way a test runner in a compose stack or a Testcontainers test
// would: scale a Deployment, and the headless Service's answer changes.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker, dockerOk, engine, logLines, unique, until } from './docker.js';

const found = engine();
const TOKEN = 'container-test-token';

/** Runs in the client container (Node, from the image itself): DNS through clusterdns, then /v1 calls. */
const CLIENT = `
import { Resolver } from 'node:dns/promises';
const { DNS, TOKEN } = process.env;
const resolver = new Resolver({ timeout: 2000, tries: 2 });
resolver.setServers([DNS]);
const headless = () => resolver.resolve4('userlist-svc-hl.user03.svc.cluster.local');
// Host names the listener by its address; the body is JSON and says so.
const scale = (replicas, headers) => fetch('http://' + DNS + ':8080/v1/scale', {
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify({ kind: 'Deployment', namespace: 'user03', name: 'userlist', replicas }),
});
const out = { before: (await headless()).length };
out.withoutToken = (await scale(7, {})).status;
out.wrongToken = (await scale(7, { authorization: 'Bearer nope' })).status;
out.afterRefused = (await headless()).length;
const response = await scale(5, { authorization: 'Bearer ' + TOKEN });
out.scale = { status: response.status, body: await response.json() };
out.after = (await headless()).length;
console.log(JSON.stringify(out));
`;

describe.skipIf(!found.ok)('the control API from another container', () => {
  const network = unique('clusterdns-ctl-net');
  const name = unique('clusterdns-ctl');
  let address = '';

  beforeAll(async () => {
    if (!found.ok) return;
    await dockerOk(['network', 'create', network]);
    await dockerOk(['run', '-d', '--name', name, '--network', network, found.image,
      'serve', '-f', '/manifests', '--bind', '0.0.0.0', '--port', '53', '--http', '0.0.0.0:8080', '--http-token', TOKEN, '--log-format', 'json']);
    await until('the "serving" log line', () => logLines(name), (lines) => lines.some((line) => line.includes('"msg":"serving')));
    address = await dockerOk(['inspect', '-f', `{{(index .NetworkSettings.Networks "${network}").IPAddress}}`, name]);
  });

  afterAll(async () => {
    await docker(['rm', '-f', name]);
    await docker(['network', 'rm', network]);
  });

  it('refuses /v1 without the token, and with it scales a Deployment so the headless answer grows from 2 to 5', async () => {
    const image = found.ok ? found.image : '';
    const client = await dockerOk(['run', '--rm', '--network', network, '-e', `DNS=${address}`, '-e', `TOKEN=${TOKEN}`,
      '--entrypoint', 'node', image, '--input-type=module', '-e', CLIENT], 120_000);
    const out = JSON.parse(client.split('\n').at(-1)!) as Record<string, unknown>;
    expect(out['before']).toBe(2);
    expect([401, 403]).toContain(out['withoutToken']);
    expect([401, 403]).toContain(out['wrongToken']);
    expect(out['afterRefused']).toBe(2);
    expect(out['scale']).toMatchObject({ status: 200 });
    expect(out['after']).toBe(5);
  });
});
