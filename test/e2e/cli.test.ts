// The CLI as a user meets it: help, exit codes, messages, `records` output.

import { describe, expect, it } from 'vitest';
import dgram from 'node:dgram';
import { runCli } from '../helpers/server-process.js';

describe('clusterdns CLI', () => {
  it('prints help that names the commands, exit 0', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('serve');
    expect(result.stdout).toContain('records');
    expect(result.stdout).toContain('Exit codes');
  });

  it('serve --help lists the flags with their defaults', async () => {
    const result = await runCli(['serve', '--help']);
    expect(result.code).toBe(0);
    for (const flag of ['--filename', '--bind', '--port', '--cluster-domain', '--ttl', '--pods', '--service-cidr', '--pod-cidr', '--log-level']) {
      expect(result.stdout).toContain(flag);
    }
    expect(result.stdout).toContain('(default: "127.0.0.1")');
  });

  it('exits 2 on an unknown flag', async () => {
    const result = await runCli(['serve', '--no-such-flag']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown option '--no-such-flag'");
  });

  it('exits 2 and says every bad flag value at once', async () => {
    const result = await runCli(['serve', '-f', 'manifests', '--port', '99999', '--ttl', 'x', '--service-cidr', '10.96.0.0/33']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--port must be an integer from 0 to 65535, got "99999"');
    expect(result.stderr).toContain('--ttl must be an integer from 0 to 3600');
    expect(result.stderr).toContain('--service-cidr must be a CIDR');
  });

  it('exits 2 when no manifests are given', async () => {
    const result = await runCli(['serve']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no manifests given');
  });

  it('exits 2 on bad manifests, naming file, document and field of every error', async () => {
    const result = await runCli(['serve', '--port', '0', '-f', 'test/fixtures/e2e-invalid']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('test/fixtures/e2e-invalid/broken.yaml, document 1');
    expect(result.stderr).toContain('spec.ports[0].port');
    expect(result.stderr).toContain('document 2');
    expect(result.stderr).toContain('metadata.name');
  });

  it('exits 1 with a clear message when the port is taken', async () => {
    const socket = dgram.createSocket('udp4');
    const port = await new Promise<number>((resolve) => socket.bind(0, '127.0.0.1', () => resolve(socket.address().port)));
    try {
      const result = await runCli(['serve', '-f', 'manifests', '--port', String(port)]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`127.0.0.1:${port}`);
      expect(result.stderr).toContain('already in use');
    } finally {
      socket.close();
    }
  });

  it('records prints sorted zone-file text for the example cluster', async () => {
    const result = await runCli(['records', '-f', 'manifests']);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toContain('userlist-svc.user03.svc.cluster.local. 5 IN A 10.43.113.209');
    expect(lines).toContain('kubernetes.default.svc.cluster.local. 5 IN A 10.96.0.1');
    expect(lines).toContain('svc-ext.default.svc.cluster.local. 5 IN CNAME google.com.');
    // §10: cache 30 (--cache-max-ttl 30, the default) caps the dns-version TTL too
    expect(lines).toContain('dns-version.cluster.local. 30 IN TXT "1.1.0"');
    expect(lines.some((line) => line.startsWith('web-0.nginx.default.svc.cluster.local. 5 IN A 10.244.'))).toBe(true);
    const again = await runCli(['records', '-f', 'manifests']);
    expect(again.stdout).toBe(result.stdout);
  });

  it('records reads manifests from stdin with -f -', async () => {
    const yaml = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: solo\n  namespace: demo\nspec:\n  clusterIP: 10.96.7.7\n  ports:\n    - port: 80\n';
    const result = await runCli(['records', '-f', '-'], { stdin: yaml });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('solo.demo.svc.cluster.local. 5 IN A 10.96.7.7');
  });
});
