// `clusterdns resolv-conf`: the file kubelet writes for a ClusterFirst pod (spec §8).

import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/server-process.js';
import { resolvConf } from '../../src/cli/resolv-conf.js';

describe('clusterdns resolv-conf', () => {
  it('prints nameserver, the namespace search list and ndots:5', async () => {
    const result = await runCli(['resolv-conf', '--namespace', 'shop']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      [
        '# resolv.conf of a pod in namespace shop (dnsPolicy: ClusterFirst)',
        'nameserver 127.0.0.1',
        'search shop.svc.cluster.local svc.cluster.local cluster.local',
        'options ndots:5',
        '',
      ].join('\n'),
    );
  });

  it('follows --server and --cluster-domain', async () => {
    const result = await runCli(['resolv-conf', '--namespace', 'team', '--server', '172.28.0.53', '--cluster-domain', 'Corp.Example.']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('nameserver 172.28.0.53\nsearch team.svc.corp.example svc.corp.example corp.example\n');
  });

  it('exits 2 and names every bad flag; --namespace is required', async () => {
    const bad = await runCli(['resolv-conf', '--namespace', 'Shop_1', '--server', 'dns.local', '--port', '0']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--namespace: "Shop_1" is not a DNS label (RFC 1123)');
    expect(bad.stderr).toContain('--server: expected an IP address, got "dns.local"');
    expect(bad.stderr).toContain('--port: expected 1-65535, got "0"');
    const missing = await runCli(['resolv-conf']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("required option '--namespace <ns>' not specified");
  });

  it('says in a comment that resolv.conf cannot carry a port other than 53', () => {
    const text = resolvConf({ namespace: 'shop', server: '127.0.0.1', port: 1053, clusterDomain: 'cluster.local' });
    expect(text).toContain('# clusterdns listens on port 1053, but resolv.conf cannot name a port');
    expect(text).toContain('nameserver 127.0.0.1\n');
  });
});
