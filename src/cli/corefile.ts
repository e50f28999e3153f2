// --corefile: the cluster's own Corefile (or coredns ConfigMap) under the
// flags. Flags given on the command line win over the file: commander says
// which were given (getOptionValueSource) rather than defaulted.

import type { Command } from 'commander';
import type { RawConfig } from '../config.js';
import { loadCorefile, type CorefileSettings, type CorefileValues } from '../corefile/index.js';
import type { Logger } from '../log.js';
import type { ClusterFlags } from './options.js';

interface CorefileOverlay {
  readonly file: string;
  readonly settings: CorefileSettings;
  /** What goes over the flags' values. */
  readonly overlay: RawConfig;
  /** Flags that were given and so win over what the file says (`--ttl`). */
  readonly overridden: readonly string[];
}

/** The flags (commander option keys) that set each field a Corefile may set; none = only the file sets it. */
const FLAGS: { readonly [K in keyof CorefileValues]-?: readonly (keyof ClusterFlags)[] } = {
  clusterDomain: ['clusterDomain'],
  ttl: ['ttl'],
  podMode: ['pods'],
  reverseFallthrough: [],
  namespaces: [],
  endpointPodNames: [],
  upstreams: ['upstream'],
  resolvConf: ['resolvConf', 'upstream'],
  policy: ['policy'],
  forwardMaxInFlight: ['forwardMaxInflight'],
  stubDomains: [],
  cacheMaxTtl: ['cacheMaxTtl', 'cache'],
  noCache: ['cache', 'cacheSize', 'cacheMaxTtl'],
  hosts: [],
  rewrites: [],
  otherBlockZones: [],
};

export async function readCorefileOption(
  file: string,
  flags: ClusterFlags,
  command: Command,
): Promise<{ ok: true; corefile: CorefileOverlay } | { ok: false; problems: string[] }> {
  const load = await loadCorefile(file);
  if (!load.ok) return load;
  const given = (key: string) => {
    const source = command.getOptionValueSource(key);
    return source === 'cli' || source === 'env';
  };
  const overlay: Record<string, unknown> = {};
  const overridden = new Set<string>();
  for (const [field, value] of Object.entries(load.settings.values) as [keyof CorefileValues, unknown][]) {
    const winners = FLAGS[field].filter(given);
    if (winners.length > 0) {
      for (const flag of winners) overridden.add(flagName(flag));
      continue;
    }
    overlay[field] = value;
  }
  // Stub domains merge: a --stub-domain for the same suffix wins over the file's.
  const fileStubs = load.settings.values.stubDomains ?? [];
  if (fileStubs.length > 0 && flags.stubDomain?.length) {
    const suffix = (entry: string) => entry.split('=')[0]!.trim().replace(/\.$/, '').toLowerCase();
    const flagged = new Set(flags.stubDomain.map(suffix));
    overlay['stubDomains'] = [...flags.stubDomain, ...fileStubs.filter((entry) => !flagged.has(suffix(entry)))];
  }
  return { ok: true, corefile: { file, settings: load.settings, overlay: overlay as RawConfig, overridden: [...overridden] } };
}

/** One info line for what is not modelled, one for the flags that won, a warning each for the rest. */
export function logCorefile(logger: Logger, corefile: CorefileOverlay): void {
  const log = logger.child({ module: 'corefile' });
  const { ignored, warnings } = corefile.settings;
  if (ignored.length > 0) {
    log.info({ file: corefile.file, ignored }, `${corefile.file}: not modelled by clusterdns, ignored: ${ignored.join(', ')}`);
  }
  if (corefile.overridden.length > 0) {
    log.info({ file: corefile.file, flags: corefile.overridden }, `${corefile.file}: the command line wins for ${corefile.overridden.join(', ')}`);
  }
  for (const warning of warnings) log.warn({ file: corefile.file }, warning);
}

function flagName(key: string): string {
  return key === 'cache' ? '--no-cache' : `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}
