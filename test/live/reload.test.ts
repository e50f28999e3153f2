// Reload end to end (issue 4 part 1): the real CLI with --watch / SIGHUP,
// asked with dig, files edited in a temp dir mid-test.

import { writeFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dig } from '../helpers/dig.js';
import { decode } from '../helpers/dns.js';
import { query, UdpClient } from '../helpers/clients.js';
import { dbManifest, liveLines, startLive, tempDir, waitFor, type LiveServer } from '../helpers/live.js';

const DB = 'db.default.svc.cluster.local';
let server: LiveServer | undefined;
let cleanup: (() => Promise<void>) | undefined;

afterEach(async () => {
  await server?.stop();
  await cleanup?.();
  server = undefined;
  cleanup = undefined;
});

async function answersFor(name: string, type = 'A'): Promise<string[]> {
  const result = await dig(server!.port, [name, type]);
  return result.answer.map((line) => line.split(' ').pop()!).sort();
}

async function soaSerial(): Promise<number> {
  const result = await dig(server!.port, ['cluster.local', 'SOA']);
  return Number(result.answer[0]!.split(' ')[6]);
}

describe('reload', () => {
  it('--watch: an edit changes the answer, a broken file keeps the old answers and shows on /ready, a fix recovers', async () => {
    const temp = await tempDir();
    cleanup = temp.remove;
    const file = path.join(temp.dir, 'db.yaml');
    await writeFile(file, dbManifest(['10.0.0.1', '10.0.0.2']));
    server = await startLive(['--watch', '-f', temp.dir]);
    expect(await answersFor(DB)).toEqual(['10.0.0.1', '10.0.0.2']);
    const serial = await soaSerial();

    await writeFile(file, dbManifest(['10.0.0.3']));
    await waitFor(async () => (await answersFor(DB)).join() === '10.0.0.3', 'the edit to be served');
    expect(await soaSerial()).toBeGreaterThan(serial);
    expect(liveLines(server).at(-1)).toBe(
      'reload (watch): added 2 (10-0-0-3.db.default.svc.cluster.local 3.0.0.10.in-addr.arpa), ' +
        'removed 4 (1.0.0.10.in-addr.arpa 10-0-0-1.db.default.svc.cluster.local 10-0-0-2.db.default.svc.cluster.local 2.0.0.10.in-addr.arpa), ' +
        'changed 1 (db.default.svc.cluster.local)',
    );

    // A new, broken file in the watched directory: old answers stay, /ready names the error.
    await writeFile(path.join(temp.dir, 'extra.yaml'), 'apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec: {ports: [{port: "http"}]}\n');
    await waitFor(async () => (await (await fetch(`${server!.http}/ready`)).text()).includes('extra.yaml'), '/ready to show the error');
    const ready = await fetch(`${server.http}/ready`);
    expect(ready.status).toBe(200); // still serving the last good state
    expect(await ready.text()).toContain('extra.yaml, document 1 (line 4): spec.ports[0].port: expected an integer 1-65535, got "http"');
    expect(await answersFor(DB)).toEqual(['10.0.0.3']);
    expect(server.logs.some((l) => String(l['msg']).includes('extra.yaml, document 1') && l['level'] === 50)).toBe(true);

    await rm(path.join(temp.dir, 'extra.yaml'));
    await waitFor(async () => (await (await fetch(`${server!.http}/ready`)).text()) === 'OK', 'recovery');
    expect(await answersFor(DB)).toEqual(['10.0.0.3']);
  });

  it('a 6,000-pod cluster: the reload line names exactly the records that changed', async () => {
    const temp = await tempDir();
    cleanup = temp.remove;
    const big = `apiVersion: apps/v1
kind: Deployment
metadata: {name: big}
spec:
  replicas: 6000
  selector: {matchLabels: {app: big}}
  template: {metadata: {labels: {app: big}}, spec: {containers: [{name: main, image: x}]}}
---
apiVersion: v1
kind: Service
metadata: {name: big}
spec: {clusterIP: None, selector: {app: big}, ports: [{port: 80}]}
`;
    await writeFile(path.join(temp.dir, 'big.yaml'), big);
    await writeFile(path.join(temp.dir, 'db.yaml'), dbManifest(['10.0.0.1']));
    server = await startLive(['--watch', '-f', temp.dir]);
    await writeFile(path.join(temp.dir, 'db.yaml'), dbManifest(['10.0.0.3']));
    await waitFor(async () => (await answersFor(DB)).join() === '10.0.0.3', 'the edit to be served');
    await waitFor(() => liveLines(server!).some((line) => line.startsWith('reload (watch)')), 'the reload line');
    expect(liveLines(server).at(-1)).toBe(
      'reload (watch): added 2 (10-0-0-3.db.default.svc.cluster.local 3.0.0.10.in-addr.arpa), ' +
        'removed 2 (1.0.0.10.in-addr.arpa 10-0-0-1.db.default.svc.cluster.local), changed 1 (db.default.svc.cluster.local)',
    );
  });

  it('SIGHUP re-reads the files without --watch', async () => {
    const temp = await tempDir();
    cleanup = temp.remove;
    const file = path.join(temp.dir, 'db.yaml');
    await writeFile(file, dbManifest(['10.0.0.1']));
    server = await startLive(['-f', file]);
    await writeFile(file, dbManifest(['10.0.0.9']));
    server.child.kill('SIGHUP');
    await waitFor(() => liveLines(server!).some((line) => line.startsWith('reload (SIGHUP)')), 'the SIGHUP reload');
    expect(await answersFor(DB)).toEqual(['10.0.0.9']);
  });

  it('500 SIGHUPs in a burst: at most one reload running and one pending, and the last edit is served', async () => {
    const temp = await tempDir();
    cleanup = temp.remove;
    const file = path.join(temp.dir, 'db.yaml');
    await writeFile(file, dbManifest(['10.0.0.1']));
    server = await startLive(['-f', file]);
    await writeFile(file, dbManifest(['10.0.0.7']));
    for (let i = 0; i < 500; i++) server.child.kill('SIGHUP');
    // Queued behind every reload those signals asked for: its reply comes after them.
    const reset = await fetch(`${server.http}/v1/reset`, { method: 'POST', headers: { 'content-type': 'application/json' } });
    expect(reset.status).toBe(200);
    // Counted by the server itself: its log lines may still be in the pipe.
    const metrics = await (await fetch(`${server.http}/metrics`)).text();
    const reloads = Number(/^clusterdns_reloads_total\{result="success"\} (\d+)/m.exec(metrics)?.[1]);
    // Two when every signal lands before the first reload ends; a loaded machine spreads the
    // 500 signals over a few reloads (each one running, one pending), never hundreds.
    expect(reloads).toBeGreaterThanOrEqual(1);
    expect(reloads).toBeLessThanOrEqual(5);
    expect(await answersFor(DB)).toEqual(['10.0.0.7']);
  });

  it('50 reloads under a query loop: every query answered, never SERVFAIL, never a mix of two states', async () => {
    const temp = await tempDir();
    cleanup = temp.remove;
    const file = path.join(temp.dir, 'db.yaml');
    const states = [['10.0.0.1', '10.0.0.2'], ['10.0.1.1', '10.0.1.2', '10.0.1.3']];
    await writeFile(file, dbManifest(states[0]!));
    server = await startLive(['-f', file]);
    const client = new UdpClient(server.port);
    let stop = false;
    const seen: string[] = [];
    const loop = (async () => {
      for (let id = 1; !stop; id++) {
        await client.send(query(id, DB));
        const replies = await client.until(id);
        for (const reply of replies) {
          const response = decode(reply);
          seen.push(`${response.rcode} ${response.answer.map((rr) => rr.split(' ').pop()).sort().join(',')}`);
        }
      }
    })();
    try {
      for (let i = 1; i <= 50; i++) {
        await writeFile(file, dbManifest(states[i % 2]!));
        server.child.kill('SIGHUP');
        await waitFor(() => liveLines(server!).filter((line) => line.startsWith('reload (SIGHUP)')).length === i, `reload ${i}`);
      }
    } finally {
      stop = true;
      await loop;
      await client.close();
    }
    const allowed = new Set(states.map((ips) => `NOERROR ${ips.join(',')}`));
    expect(seen.length).toBeGreaterThan(50);
    expect(seen.filter((line) => !allowed.has(line))).toEqual([]);
    expect(new Set(seen).size).toBe(2);
  });
});
