// `clusterdns host-setup --print`: the snippet that sends only the cluster
// domain to clusterdns on this machine. It prints; it never changes the system.

import { existsSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { DEFAULTS } from '../config.js';
import { parseClusterDomain } from '../cluster/index.js';
import { reportConfigProblems } from './exit.js';

export const HOST_TARGETS = ['auto', 'systemd-resolved', 'macos', 'dnsmasq', 'all'] as const;
export type HostTarget = (typeof HOST_TARGETS)[number];
type Resolver = Exclude<HostTarget, 'auto' | 'all'>;

/** The resolver this machine most likely uses: macOS's own, systemd-resolved when its stub runs, else dnsmasq. */
export function detectTarget(platform: NodeJS.Platform, resolvedRunning: boolean): Resolver {
  if (platform === 'darwin') return 'macos';
  return resolvedRunning ? 'systemd-resolved' : 'dnsmasq';
}

interface HostSetupFlags {
  print?: boolean;
  target: HostTarget;
  port: string;
  clusterDomain: string;
}

export function registerHostSetup(program: Command): void {
  program
    .command('host-setup')
    .description('print (never apply) the resolver snippet that sends only the cluster domain to clusterdns')
    .option('--print', 'print the snippet (required: this command never changes the system)')
    .addOption(
      new Option('--target <target>', 'which resolver: auto picks macos on macOS, systemd-resolved when it runs, else dnsmasq')
        .choices(HOST_TARGETS)
        .default('auto'),
    )
    .option('--port <port>', 'the port clusterdns serves on, on 127.0.0.1 (what you gave serve --port)', '1053')
    .option('--cluster-domain <domain>', 'the cluster DNS domain', DEFAULTS.clusterDomain)
    .addHelpText(
      'after',
      `
Only names under the cluster domain go to clusterdns; everything else keeps
using the resolver you have. Nothing is written: save the snippet where its
"save as" comment says, then do what its "apply" comment says.

Examples:
  clusterdns host-setup --print
  clusterdns host-setup --print --target systemd-resolved --port 1053
  clusterdns host-setup --print --target all

Exit codes: 0 printed, 2 bad flags or --print missing.`,
    )
    .action((flags: HostSetupFlags) => {
      const port = Number(flags.port);
      const zone = parseClusterDomain(flags.clusterDomain);
      const problems: string[] = [];
      if (flags.print !== true) {
        problems.push('host-setup only prints the configuration, it never applies it: add --print and apply the snippet yourself');
      }
      if (!/^\d+$/.test(flags.port) || port < 1 || port > 65535) problems.push(`--port: expected 1-65535, got "${flags.port}"`);
      if (zone === undefined) problems.push(`--cluster-domain: "${flags.clusterDomain}" is not a DNS name`);
      if (problems.length > 0) reportConfigProblems(problems);
      const target = flags.target === 'auto' ? detectTarget(process.platform, existsSync(RESOLVED_STUB)) : flags.target;
      process.stdout.write(hostSetup(target, zone!, port));
    });
}

/** Present while systemd-resolved runs its stub listener. */
const RESOLVED_STUB = '/run/systemd/resolve/stub-resolv.conf';

/** The snippet(s) for `target`, each with its path and how to apply it, as comments. */
export function hostSetup(target: Resolver | 'all', zone: string, port: number): string {
  const snippets = {
    'systemd-resolved': systemdResolved(zone, port),
    macos: macos(zone, port),
    dnsmasq: dnsmasq(zone, port),
  };
  const chosen = target === 'all' ? Object.values(snippets) : [snippets[target]];
  return chosen.map((lines) => lines.join('\n') + '\n').join('\n');
}

function systemdResolved(zone: string, port: number): string[] {
  return [
    '# systemd-resolved (Linux, systemd 246 or newer for the :port form):',
    '# save as /etc/systemd/resolved.conf.d/clusterdns.conf (sudo mkdir -p /etc/systemd/resolved.conf.d first)',
    '# apply: sudo systemctl restart systemd-resolved',
    `# check: resolvectl query kubernetes.default.svc.${zone}`,
    '[Resolve]',
    `DNS=127.0.0.1:${port}`,
    `Domains=~${zone}`,
  ];
}

function macos(zone: string, port: number): string[] {
  return [
    '# macOS:',
    `# save as /etc/resolver/${zone} (sudo mkdir -p /etc/resolver first)`,
    '# apply: nothing to do, it is read at once (scutil --dns lists it)',
    `# check: dscacheutil -q host -a name kubernetes.default.svc.${zone}`,
    'nameserver 127.0.0.1',
    `port ${port}`,
  ];
}

function dnsmasq(zone: string, port: number): string[] {
  return [
    '# dnsmasq:',
    '# save as /etc/dnsmasq.d/clusterdns.conf (under NetworkManager: /etc/NetworkManager/dnsmasq.d/clusterdns.conf)',
    '# apply: sudo systemctl restart dnsmasq (under NetworkManager: sudo systemctl reload NetworkManager)',
    `# check: dig kubernetes.default.svc.${zone}`,
    `server=/${zone}/127.0.0.1#${port}`,
  ];
}
