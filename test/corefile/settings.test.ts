// Real Corefiles (kubeadm's default, k3s's ConfigMap with NodeHosts, an EKS
// add-on Corefile with stub domains and a rewrite) read into settings, and
// the mistakes a Corefile can hold, each naming file, line and directive.

import { describe, expect, it } from 'vitest';
import { interpretText, loadCorefile } from '../../src/corefile/index.js';
import type { CorefileSettings } from '../../src/corefile/index.js';

const FIXTURES = 'test/fixtures/corefile';

async function settingsOf(file: string): Promise<CorefileSettings> {
  const load = await loadCorefile(`${FIXTURES}/${file}`, {});
  if (!load.ok) throw new Error(load.problems.join('\n'));
  return load.settings;
}

function problemsOf(text: string, file = 'Corefile'): string[] {
  const load = interpretText(file, text);
  if (load.ok) throw new Error('expected problems');
  return load.problems;
}

describe('kubeadm default Corefile', () => {
  it('takes the cluster domain, pods, ttl, fallthrough, forward to resolv.conf and cache TTL', async () => {
    const { values, ignored } = await settingsOf('kubeadm.Corefile');
    expect(values).toMatchObject({
      clusterDomain: 'cluster.local',
      podMode: 'insecure',
      ttl: 30,
      reverseFallthrough: true,
      upstreams: 'resolv-conf',
      resolvConf: '/etc/resolv.conf',
      policy: 'random',
      forwardMaxInFlight: 1000,
      cacheMaxTtl: 30,
    });
    expect(values.noCache).toBeUndefined();
    expect(ignored).toEqual(['errors', 'health', 'ready', 'prometheus', 'cache disable', 'reload']);
  });
});

describe('k3s coredns ConfigMap', () => {
  it('reads the Corefile key and serves NodeHosts through the hosts plugin', async () => {
    const { values, ignored } = await settingsOf('k3s-coredns.yaml');
    expect(values.clusterDomain).toBe('cluster.local');
    expect(values.hosts?.ttl).toBe(60);
    expect(values.hosts?.fallthrough).toEqual([]);
    expect(values.hosts?.zones).toEqual(['']);
    expect(Object.fromEntries(values.hosts!.names)).toEqual({ 'k3d-dev-server-0': ['172.18.0.2'], 'k3d-dev-agent-0': ['172.18.0.3'] });
    expect(values.hosts?.addresses.get('172.18.0.3')).toEqual(['k3d-dev-agent-0']);
    expect(ignored).toEqual(['import', 'errors', 'health', 'ready', 'hosts reload', 'prometheus', 'reload']);
  });

  it('names the line in the ConfigMap file for a mistake in its Corefile', () => {
    const yaml = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: coredns\ndata:\n  Corefile: |\n    .:53 {\n        kubernetes cluster.local {\n          pods everything\n        }\n    }\n';
    expect(problemsOf(yaml, 'coredns.yaml')).toEqual([
      'coredns.yaml:9: kubernetes pods: must be one of insecure, verified, disabled, got "everything"',
    ]);
  });

  it('reads the ConfigMap as JSON too (kubectl -o json), naming the key line and the Corefile line', () => {
    const json = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'coredns' }, data: { Corefile: '.:53 {\n  kubernetes cluster.local {\n    ttl x\n  }\n}\n' } }, null, 2);
    expect(problemsOf(json, 'coredns.json')).toEqual(['coredns.json:8 (data.Corefile line 3): kubernetes ttl: must be an integer from 0 to 3600 (seconds), got "x"']);
  });

  it('refuses a ConfigMap without a Corefile key', () => {
    expect(problemsOf('kind: ConfigMap\nmetadata:\n  name: coredns\ndata:\n  NodeHosts: "1.2.3.4 a"\n  Corefil: ". {}"\n', 'cm.yaml')).toEqual([
      'cm.yaml: ConfigMap coredns has no data.Corefile key',
    ]);
  });
});

describe('EKS-style Corefile with stub domains and a regex rewrite', () => {
  it('takes upstreams with their policy, each extra block as a stub domain, and the rewrite with its answer rule', async () => {
    const { values, ignored } = await settingsOf('eks.Corefile');
    expect(values.upstreams).toEqual(['10.0.0.2:53', '10.0.0.3:5353']);
    expect(values.policy).toBe('sequential');
    expect(values.stubDomains).toEqual([
      'consul.local=10.150.0.1:53',
      'acme.local=10.150.0.2:53,10.150.0.3:53',
      'corp.acme.local=10.150.0.2:53,10.150.0.3:53',
    ]);
    expect(values.rewrites).toHaveLength(1);
    expect(values.rewrites![0]).toMatchObject({ match: 'regex', to: '{1}.svc.cluster.local.', mode: 'stop', auto: false });
    expect(values.rewrites![0]!.answerNames).toHaveLength(1);
    expect(ignored).toEqual(['errors', 'health', 'ready', 'prometheus', 'forward health_check', 'reload', 'cache outside the root block']);
  });
});

describe('what CoreDNS does where the Corefile is silent', () => {
  it('a kubernetes plugin without options: pods disabled, no reverse fallthrough; no forward: nothing forwarded; no cache: none', () => {
    const load = interpretText('Corefile', '.:53 {\n  kubernetes cluster.local\n}\n');
    expect(load.ok && load.settings.values).toEqual({
      clusterDomain: 'cluster.local',
      podMode: 'disabled',
      reverseFallthrough: false,
      upstreams: ['none'],
      noCache: true,
    });
  });

  it('the kubernetes zones default to the server block keys', () => {
    const load = interpretText('Corefile', 'k8s.example:53 {\n  kubernetes\n}\n.:53 {\n forward . 1.1.1.1\n}\n');
    expect(load.ok && load.settings.values.clusterDomain).toBe('k8s.example');
  });

  it('warns when there is no kubernetes plugin at all', () => {
    const load = interpretText('Corefile', '.:53 {\n forward . 1.1.1.1\n}\n');
    expect(load.ok && load.settings.warnings).toEqual([
      'Corefile:1: no kubernetes plugin: clusterdns still answers for the cluster domain of --cluster-domain, which this CoreDNS would not',
    ]);
  });

  it('namespaces and endpoint_pod_names', () => {
    const load = interpretText('Corefile', '. {\n kubernetes cluster.local {\n  namespaces a b\n  endpoint_pod_names\n }\n}\n');
    expect(load.ok && load.settings.values).toMatchObject({ namespaces: ['a', 'b'], endpointPodNames: true });
  });
});

const mistakes: { name: string; text: string; problem: string }[] = [
  { name: 'ttl out of range', text: '. {\n kubernetes cluster.local {\n  ttl 7200\n }\n}', problem: 'Corefile:3: kubernetes ttl: must be an integer from 0 to 3600 (seconds), got "7200"' },
  { name: 'only reverse zones', text: '. {\n kubernetes in-addr.arpa\n}', problem: 'Corefile:2: kubernetes: needs a cluster domain among its zones (like kubernetes cluster.local in-addr.arpa ip6.arpa), got "in-addr.arpa"' },
  { name: 'namespaces without names', text: '. {\n kubernetes cluster.local {\n  namespaces\n }\n}', problem: 'Corefile:3: kubernetes namespaces: needs at least one namespace' },
  { name: 'endpoint_pod_names with an argument', text: '. {\n kubernetes cluster.local {\n  endpoint_pod_names yes\n }\n}', problem: 'Corefile:3: kubernetes endpoint_pod_names: takes no arguments' },
  { name: 'forward without a target', text: '. {\n forward .\n}', problem: 'Corefile:2: forward: expected forward FROM TO... (like forward . /etc/resolv.conf or forward . 8.8.8.8)' },
  { name: 'forward to a host name', text: '. {\n forward . dns.google\n}', problem: 'Corefile:2: forward: upstream "dns.google" is not an IP address (forms: 1.2.3.4, 1.2.3.4:53, ::1, [::1]:53)' },
  { name: 'unknown policy', text: '. {\n forward . 1.1.1.1 {\n  policy fastest\n }\n}', problem: 'Corefile:3: forward policy: must be one of sequential, random, round_robin, got "fastest"' },
  { name: 'cache TTL zero', text: '. {\n cache 0\n}', problem: 'Corefile:2: cache: the cache TTL must be a positive number of seconds, got 0' },
  { name: 'rewrite with an unknown match type', text: '. {\n rewrite name glob a b c\n}', problem: 'Corefile:2: rewrite: name rule match type must be one of exact, prefix, suffix, substring, regex, got "glob"' },
  { name: 'rewrite with a bad regex', text: '. {\n rewrite name regex (a b\n}', problem: 'Corefile:2: rewrite: name regex "(a": not a valid regular expression (Invalid regular expression: /(a/: Unterminated group)' },
  { name: 'rewrite using a group the regex lacks', text: '. {\n rewrite name regex a(.*) {2}.x\n}', problem: 'Corefile:2: rewrite: name regex "a(.*)" has 1 group(s) but "{2}.x" uses {2}' },
  { name: 'rewrite answer auto with answer name', text: '. {\n rewrite name regex (.*) {1} answer auto answer name a b\n}', problem: 'Corefile:2: rewrite: answer auto cannot be combined with answer name rules' },
  { name: 'hosts line that is not an entry', text: '. {\n hosts {\n  gateway 10.0.0.1\n }\n}', problem: 'Corefile:3: hosts: expected an entry "IP name..." or one of ttl, no_reverse, reload, fallthrough, got "gateway 10.0.0.1"' },
  { name: 'a syntax error', text: '. {\n hosts {\n', problem: 'Corefile:2: the block of hosts opened on line 2 is not closed (missing \'}\')' },
];

describe('mistakes name file, line and directive', () => {
  for (const row of mistakes) {
    it(row.name, () => {
      expect(problemsOf(`${row.text}\n`)).toEqual([row.problem]);
    });
  }

  it('reports every mistake at once', () => {
    expect(problemsOf('. {\n cache -1\n forward\n}\n')).toHaveLength(2);
  });

  it('a missing file', async () => {
    const load = await loadCorefile('/nonexistent/Corefile');
    expect(load.ok || load.problems).toEqual(['cannot read --corefile /nonexistent/Corefile: ENOENT']);
  });
});
