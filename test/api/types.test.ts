// The package's published types: a consumer project that depends on
// clusterdns (here a symlink in its node_modules) type-checks against the
// emitted dist/index.d.ts through package.json "exports". Needs `npm run build`.

import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';
import { ROOT } from '../helpers/server-process.js';

const run = promisify(execFile);
let temp = '';
afterAll(() => (temp ? rm(temp, { recursive: true, force: true }) : undefined));

const CONSUMER = `
import { startClusterDns, ClusterDnsError, type ClusterDns, type ClusterDnsOptions, type ChangeSummary } from 'clusterdns';

const options: ClusterDnsOptions = { manifests: ['manifests/', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x' } }], port: 0 };
const dns: ClusterDns = await startClusterDns(options);
const addresses: string[] = await dns.resolver().resolve4('userlist-svc.user03.svc.cluster.local');
const change: ChangeSummary = await dns.scale('Deployment', 'user03', 'userlist', 3);
const names: readonly string[] = change.changed;
const text: string = dns.records('userlist-svc.user03.svc.cluster.local', 'A')[0]!.text;
const udp: string = dns.udp;
try { await dns.setReady('user03', dns.pods('user03')[0]!.name, false); } catch (error) { if (error instanceof ClusterDnsError) console.log(error.code, error.problems); }
// @ts-expect-error port is a number
await startClusterDns({ manifests: [], port: '53' });
await dns.close();
console.log(addresses, names, text, udp);
`;

it('type-checks a consumer that imports clusterdns by name', async () => {
  temp = await mkdtemp(path.join(tmpdir(), 'clusterdns-consumer-'));
  await mkdir(path.join(temp, 'node_modules'));
  await symlink(ROOT, path.join(temp, 'node_modules', 'clusterdns'));
  await writeFile(path.join(temp, 'package.json'), JSON.stringify({ name: 'consumer', type: 'module' }));
  await writeFile(path.join(temp, 'consumer.ts'), CONSUMER);
  const config = {
    compilerOptions: {
      target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true,
      types: ['node'], typeRoots: [path.join(ROOT, 'node_modules/@types')], skipLibCheck: false,
    },
    files: ['consumer.ts'],
  };
  await writeFile(path.join(temp, 'tsconfig.json'), JSON.stringify(config));
  const tsc = path.join(ROOT, 'node_modules/typescript/bin/tsc');
  const result = await run(process.execPath, [tsc, '-p', temp], { cwd: temp }).catch((error: { stdout: string }) => error);
  expect(result.stdout).toBe('');
}, 60_000);
