// `clusterdns resolv-conf --namespace NS`: the /etc/resolv.conf kubelet
// writes for a ClusterFirst pod in NS (spec §8), pointing at this server.

import type { Command } from 'commander';
import { isIP } from 'node:net';
import { DEFAULTS } from '../config.js';
import { parseClusterDomain } from '../cluster/index.js';
import { reportConfigProblems } from './exit.js';

interface ResolvConfFlags {
  namespace: string;
  server: string;
  port: string;
  clusterDomain: string;
}

const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export function registerResolvConf(program: Command): void {
  program
    .command('resolv-conf')
    .description("print the resolv.conf a pod in NAMESPACE gets (dnsPolicy ClusterFirst), with this server as nameserver")
    .requiredOption('--namespace <ns>', "the pod's namespace")
    .option('--server <addr>', 'nameserver address', '127.0.0.1')
    .option('--port <port>', 'port clusterdns listens on (resolv.conf itself cannot carry one)', '53')
    .option('--cluster-domain <domain>', 'the cluster DNS domain', DEFAULTS.clusterDomain)
    .addHelpText(
      'after',
      `
Examples:
  clusterdns resolv-conf --namespace shop > /tmp/resolv.conf
  clusterdns resolv-conf --namespace shop --server 172.28.0.53

Exit codes: 0 ok, 2 bad flags.`,
    )
    .action((flags: ResolvConfFlags) => {
      process.stdout.write(resolvConf(readFlags(flags)));
    });
}

export interface ResolvConfOptions {
  readonly namespace: string;
  readonly server: string;
  readonly port: number;
  readonly clusterDomain: string;
}

/** The file text (spec §8): nameserver, search list, ndots:5; a port other than 53 only as a comment. */
export function resolvConf(options: ResolvConfOptions): string {
  const zone = options.clusterDomain;
  const lines = [`# resolv.conf of a pod in namespace ${options.namespace} (dnsPolicy: ClusterFirst)`];
  if (options.port !== 53) {
    lines.push(
      `# clusterdns listens on port ${options.port}, but resolv.conf cannot name a port and glibc/musl always use 53:`,
      `# serve on port 53 (e.g. --bind ${options.server} --port 53, or a container with its own address),`,
      `# or forward ${zone} to ${options.server}#${options.port} from a local resolver (clusterdns host-setup --print).`,
    );
  }
  lines.push(
    `nameserver ${options.server}`,
    `search ${options.namespace}.svc.${zone} svc.${zone} ${zone}`,
    'options ndots:5',
  );
  return lines.join('\n') + '\n';
}

function readFlags(flags: ResolvConfFlags): ResolvConfOptions {
  const problems: string[] = [];
  if (!LABEL.test(flags.namespace)) problems.push(`--namespace: "${flags.namespace}" is not a DNS label (RFC 1123)`);
  if (isIP(flags.server) === 0) problems.push(`--server: expected an IP address, got "${flags.server}"`);
  const port = Number(flags.port);
  if (!/^\d+$/.test(flags.port) || port < 1 || port > 65535) problems.push(`--port: expected 1-65535, got "${flags.port}"`);
  const zone = parseClusterDomain(flags.clusterDomain);
  if (zone === undefined) problems.push(`--cluster-domain: "${flags.clusterDomain}" is not a DNS name`);
  if (problems.length > 0) reportConfigProblems(problems);
  return { namespace: flags.namespace, server: flags.server, port, clusterDomain: zone ?? '' };
}
