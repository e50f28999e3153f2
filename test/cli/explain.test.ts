// `clusterdns explain` as a user runs it; every reason has its row in
// test/explain/explain.test.ts, these pin the command around them.

import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/server-process.js';

describe('clusterdns explain', () => {
  it('shows the answer and why, for a name that answers', async () => {
    const result = await runCli(['explain', 'web-0.nginx.default.svc.cluster.local', '-f', 'manifests']);
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe('web-0.nginx.default.svc.cluster.local. A: NOERROR, 1 record');
    expect(lines[1]).toMatch(/^ {2}web-0\.nginx\.default\.svc\.cluster\.local\. 5 IN A 10\.244\.\d+\.\d+$/);
    expect(lines[2]).toBe('why:');
    expect(lines[3]).toBe('  - "web-0" is a ready endpoint of service default/nginx');
  });

  it('says where a service of that name exists, for the wrong namespace', async () => {
    const result = await runCli(['explain', 'userlist-svc.default.svc.cluster.local.', '-f', 'manifests']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      [
        'userlist-svc.default.svc.cluster.local. A: NXDOMAIN',
        'why:',
        '  - no service "userlist-svc" in namespace "default", but there is one in namespace user03',
        '      ask userlist-svc.user03.svc.cluster.local',
        '',
      ].join('\n'),
    );
  });

  it('shows the selector and the nearest pods when the selector matches nothing', async () => {
    const result = await runCli(['explain', 'db.data.svc.cluster.local', '-f', 'test/fixtures/explain/selector-matches-nothing.yaml']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('      selector: app=db,tier=backend\n      nearest pods in data:\n        pod database-0: app=database,tier=backend\n');
  });

  it('exits 2 on a bad type and on manifests with errors', async () => {
    const type = await runCli(['explain', 'a.cluster.local', 'NOPE', '-f', 'manifests']);
    expect(type.code).toBe(2);
    expect(type.stderr).toContain('unknown record type "NOPE"');
    const manifests = await runCli(['explain', 'a.cluster.local', '-f', 'test/fixtures/e2e-invalid']);
    expect(manifests.code).toBe(2);
    expect(manifests.stderr).toContain('test/fixtures/e2e-invalid/broken.yaml, document 1');
  });
});
