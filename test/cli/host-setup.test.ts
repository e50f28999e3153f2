// `clusterdns host-setup --print`: the snippet per resolver, and never applying anything.

import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli, startServe } from '../helpers/server-process.js';
import { dig } from '../helpers/dig.js';
import { detectTarget } from '../../src/cli/host-setup.js';

const hasDnsmasq = spawnSync('dnsmasq', ['--version']).status === 0;

async function freeUdpPort(): Promise<number> {
  const socket = dgram.createSocket('udp4');
  const port = await new Promise<number>((resolve) => socket.bind(0, '127.0.0.1', () => resolve(socket.address().port)));
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

describe('clusterdns host-setup --print', () => {
  it.each([
    {
      target: 'systemd-resolved',
      path: '/etc/systemd/resolved.conf.d/clusterdns.conf',
      lines: ['[Resolve]', 'DNS=127.0.0.1:1053', 'Domains=~cluster.local'],
    },
    { target: 'macos', path: '/etc/resolver/cluster.local', lines: ['nameserver 127.0.0.1', 'port 1053'] },
    { target: 'dnsmasq', path: '/etc/dnsmasq.d/clusterdns.conf', lines: ['server=/cluster.local/127.0.0.1#1053'] },
  ])('$target: the file to write and its settings', async ({ target, path, lines }) => {
    const result = await runCli(['host-setup', '--print', '--target', target, '--port', '1053']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`# save as ${path}`);
    const settings = result.stdout.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
    expect(settings).toEqual(lines);
  });

  it('--target all prints the three, with the port and cluster domain given', async () => {
    const result = await runCli(['host-setup', '--print', '--target', 'all', '--port', '5353', '--cluster-domain', 'corp.local']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('DNS=127.0.0.1:5353\nDomains=~corp.local\n');
    expect(result.stdout).toContain('# save as /etc/resolver/corp.local');
    expect(result.stdout).toContain('server=/corp.local/127.0.0.1#5353\n');
  });

  it('exits 2 without --print: it never changes the system', async () => {
    const result = await runCli(['host-setup', '--target', 'dnsmasq']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('host-setup only prints the configuration, it never applies it: add --print');
  });

  it('exits 2 on a bad port, domain or target', async () => {
    const flags = await runCli(['host-setup', '--print', '--port', 'x', '--cluster-domain', 'bad_domain']);
    expect(flags.code).toBe(2);
    expect(flags.stderr).toContain('--port: expected 1-65535, got "x"');
    expect(flags.stderr).toContain('--cluster-domain: "bad_domain" is not a DNS name');
    const target = await runCli(['host-setup', '--print', '--target', 'windows']);
    expect(target.code).toBe(2);
    expect(target.stderr).toContain("argument 'windows' is invalid");
  });

  it.each([
    { platform: 'darwin' as const, resolved: false, expected: 'macos' },
    { platform: 'linux' as const, resolved: true, expected: 'systemd-resolved' },
    { platform: 'linux' as const, resolved: false, expected: 'dnsmasq' },
  ])('auto picks $expected on $platform (resolved running: $resolved)', ({ platform, resolved, expected }) => {
    expect(detectTarget(platform, resolved)).toBe(expected);
  });

  // The dnsmasq line, applied for real: a dnsmasq with nothing else configured
  // (no resolv.conf, so other names go nowhere) sends cluster names to clusterdns.
  it.skipIf(!hasDnsmasq)('the dnsmasq line makes a real dnsmasq answer cluster names from clusterdns', async () => {
    const server = await startServe(['-f', 'manifests']);
    const printed = await runCli(['host-setup', '--print', '--target', 'dnsmasq', '--port', String(server.port)]);
    const conf = path.join(mkdtempSync(path.join(tmpdir(), 'clusterdns-dnsmasq-')), 'clusterdns.conf');
    writeFileSync(conf, printed.stdout);
    const port = await freeUdpPort();
    const dnsmasq = spawn('dnsmasq', [
      '--keep-in-foreground', '--no-resolv', '--no-hosts', '--no-poll', '--bind-interfaces',
      '--listen-address=127.0.0.1', `--port=${port}`, `--conf-file=${conf}`, '--pid-file=', '--user=root',
    ], { stdio: 'ignore' });
    try {
      let answer = await dig(port, ['+tries=3', 'userlist-svc.user03.svc.cluster.local']).catch(() => undefined);
      for (let i = 0; i < 20 && !answer?.answer.length; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        answer = await dig(port, ['userlist-svc.user03.svc.cluster.local']).catch(() => undefined);
      }
      expect(answer?.answer).toEqual(['userlist-svc.user03.svc.cluster.local. 5 IN A 10.43.113.209']);
    } finally {
      dnsmasq.kill();
      await server.stop();
    }
  });
});

