// Server configuration: the one typed shape every entry point (CLI, Node API)
// fills in, composed of the settings each area owns (its type, defaults and
// validator sit beside it: server/, forward/, admin/, live/, guard/,
// cluster/settings.ts), and validation that reports every problem at once.
//
// A problem names settings by field path (`port`, `cache.maxTtl`); the CLI
// and the Node API spell those paths their own way, each from one table
// (cli/options.ts, api/options.ts).

import type { LevelWithSilent } from 'pino';
import { LOG_LEVELS } from './log.js';
import { ADMIN_DEFAULTS, QUERY_LOG_DEFAULTS, validateAdmin, validateQueryLog, type AdminField, type AdminSettings, type QueryLogSettings, type RawAdminSettings } from './admin/settings.js';
import { CLUSTER_DEFAULTS, validateCluster, type ClusterField, type ClusterSettings, type RawClusterSettings } from './cluster/index.js';
import { FORWARDING_DEFAULTS, validateForward, type ForwardField, type ForwardSettings, type RawForwardSettings } from './forward/settings.js';
import { GUARD_DEFAULTS, validateGuard, type GuardField, type GuardSettings, type RawGuardSettings } from './guard/settings.js';
import { LIVE_DEFAULTS, validateLive, type LiveSettings } from './live/settings.js';
import { SERVER_DEFAULTS, validateServer, type RawServerSettings, type ServerField, type ServerSettings } from './server/settings.js';
import { at, oneOf, problem, spell, type SettingProblem } from './settings.js';
import type { HostsTable } from './corefile/hosts.js';
import type { RewriteRule } from './corefile/rewrite.js';

export type { PodMode } from './cluster/index.js';
export type { UdpIo } from './server/settings.js';

/** What --corefile (src/corefile/) sets beyond the other settings; no flag or option sets these. */
export interface CorefileOnlySettings {
  /**
   * `namespaces` served (null = all), `endpoint_pod_names`, whether unknown
   * reverse names go upstream (`fallthrough in-addr.arpa ip6.arpa`), `hosts`
   * entries, `rewrite name` rules.
   */
  readonly namespaces: readonly string[] | null;
  readonly endpointPodNames: boolean;
  readonly reverseFallthrough: boolean;
  readonly hosts: HostsTable | null;
  readonly rewrites: readonly RewriteRule[];
  /** Names under these zones skip `hosts` and `rewrites` (they belong to another Corefile server block). */
  readonly otherBlockZones: readonly string[];
}

export interface Config
  extends ClusterSettings,
    ServerSettings,
    ForwardSettings,
    AdminSettings,
    QueryLogSettings,
    LiveSettings,
    GuardSettings,
    CorefileOnlySettings {
  readonly logLevel: LevelWithSilent;
}

/** Every setting a problem may name, by its path in Config (or the input it came from: httpTokenFile). */
export type ConfigField = ClusterField | ServerField | ForwardField | AdminField | GuardField | 'logLevel';

export const DEFAULTS: Config = {
  ...CLUSTER_DEFAULTS,
  ...SERVER_DEFAULTS,
  ...FORWARDING_DEFAULTS,
  ...ADMIN_DEFAULTS,
  ...QUERY_LOG_DEFAULTS,
  ...LIVE_DEFAULTS,
  ...GUARD_DEFAULTS,
  logLevel: 'info',
  namespaces: null,
  endpointPodNames: false,
  reverseFallthrough: true,
  hosts: null,
  rewrites: [],
  otherBlockZones: [],
};

/** What a user may pass: every field optional, strings where flags give strings, and each area's other input forms. */
export type RawConfig = { [K in keyof Config]?: unknown } & RawClusterSettings &
  RawServerSettings &
  RawForwardSettings &
  RawAdminSettings &
  RawGuardSettings;

type CheckedConfig = { ok: true; config: Config } | { ok: false; problems: SettingProblem<ConfigField>[] };
export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: string[] };

/** Validate and normalize; every problem is reported, by field path. */
function checkConfig(raw: RawConfig): CheckedConfig {
  const problems: SettingProblem<ConfigField>[] = [];
  const server = validateServer(raw, problems);
  const cluster = validateCluster(raw, problems);
  const forward = validateForward(raw, problems);
  const admin = validateAdmin(raw, problems);
  const guard = validateGuard(raw, problems);
  const logLevel = oneOf('logLevel', raw.logLevel ?? DEFAULTS.logLevel, LOG_LEVELS, problems);
  // The admin API and its counters live in one process; with workers each would hold its own.
  if (server.workers > 1 && admin.http !== null) problems.push(problem`${at('workers')} above 1 cannot be combined with ${at('http')} yet`);
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    config: {
      ...cluster,
      ...server,
      ...forward,
      ...admin,
      ...validateQueryLog(raw),
      ...validateLive(raw),
      ...guard,
      logLevel,
      // Built and checked by src/corefile/ (no flag sets them).
      namespaces: (raw.namespaces as Config['namespaces']) ?? null,
      endpointPodNames: raw.endpointPodNames === true,
      reverseFallthrough: raw.reverseFallthrough !== false,
      hosts: (raw.hosts as Config['hosts']) ?? null,
      rewrites: (raw.rewrites as Config['rewrites']) ?? [],
      otherBlockZones: (raw.otherBlockZones as Config['otherBlockZones']) ?? [],
    },
  };
}

/**
 * checkConfig with each problem as text, every setting spelled by `name`
 * (the CLI's flags, the Node API's option keys); by default the field path.
 */
export function validateConfig(raw: RawConfig, name: (field: ConfigField) => string = (field) => field): ConfigResult {
  const result = checkConfig(raw);
  return result.ok ? result : { ok: false, problems: result.problems.map((found) => spell(found, name)) };
}
