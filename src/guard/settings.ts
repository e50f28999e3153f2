// The guards' settings: who may have names forwarded (--allow) and the UDP
// response rate limit; their defaults and validator.

import { at, integerIn, listEntries, problem, show, type Problems } from '../settings.js';
import { DEFAULT_ALLOW, parseAllowList } from './acl.js';
import { parseRate, RATE_LIMIT_DEFAULTS, type RateLimitSettings } from './rrl.js';

export interface GuardSettings {
  /** Clients whose names outside the cluster are forwarded; others get REFUSED for them. */
  readonly allow: readonly string[];
  /** Per-client-network UDP response rate limit; null = off. */
  readonly rateLimit: RateLimitSettings | null;
}

export type GuardField = 'allow' | 'rateLimit' | 'rateLimit.slip';

export const GUARD_DEFAULTS: GuardSettings = { allow: DEFAULT_ALLOW, rateLimit: null };

/** `rateLimit` as `'100/s'`, a number or `{ perSecond, slip }`; `rateLimitSlip` its slip alone. */
export type RawGuardSettings = { [K in keyof GuardSettings]?: unknown } & { rateLimitSlip?: unknown };

export function validateGuard(raw: RawGuardSettings, problems: Problems<GuardField>): GuardSettings {
  return { allow: validateAllow(raw.allow, problems), rateLimit: validateRateLimit(raw, problems) };
}

function validateAllow(value: unknown, problems: Problems<GuardField>): readonly string[] {
  if (value === undefined) return GUARD_DEFAULTS.allow;
  const parsed = parseAllowList(listEntries(value));
  for (const entry of parsed.invalid) {
    problems.push(problem`${at('allow')} must be a CIDR or an address like 10.0.0.0/8, fd00::/8 or 192.0.2.7, got ${show(entry)}`);
  }
  return parsed.cidrs;
}

function validateRateLimit(raw: RawGuardSettings, problems: Problems<GuardField>): GuardSettings['rateLimit'] {
  if (raw.rateLimit === undefined || raw.rateLimit === null || raw.rateLimit === false) {
    if (raw.rateLimitSlip !== undefined) problems.push(problem`${at('rateLimit.slip')} needs ${at('rateLimit')} N/s`);
    return null;
  }
  const given = raw.rateLimit as Partial<RateLimitSettings> | string | number;
  const perSecond = typeof given === 'object' ? given.perSecond : parseRate(String(given));
  if (perSecond instanceof Error) problems.push(problem`${at('rateLimit')} ${perSecond.message}`);
  const slip = raw.rateLimitSlip ?? (typeof given === 'object' ? given.slip : undefined) ?? RATE_LIMIT_DEFAULTS.slip;
  const checkedSlip = integerIn('rateLimit.slip', slip, 0, 10, '(0 = never send a truncated reply)', problems);
  return typeof perSecond === 'number' ? { perSecond, slip: checkedSlip } : null;
}
