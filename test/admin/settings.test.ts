// The admin access settings as validated config: where the token comes from,
// and --http-host names. Each bad row names the message the user reads.

import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { validateConfig, type RawConfig } from '../../src/config.js';
import { flagOf } from '../../src/cli/options.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'clusterdns-token-'));
const file = (name: string, text: string): string => {
  const target = path.join(dir, name);
  writeFileSync(target, text);
  return target;
};
const withNewline = file('secret', 'abc123\n');
const crlf = file('crlf', '  abc123\r\n');
const empty = file('empty', '\n');
const spaced = file('spaced', 'two words\n');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HTTP = { http: '127.0.0.1:8080' };

describe('the control API token: --http-token, --http-token-file, CLUSTERDNS_HTTP_TOKEN', () => {
  const good: { name: string; raw: RawConfig; token: string | null }[] = [
    { name: 'none', raw: HTTP, token: null },
    { name: '--http-token', raw: { ...HTTP, httpToken: 'flag' }, token: 'flag' },
    { name: '--http-token-file, final newline dropped', raw: { ...HTTP, httpTokenFile: withNewline }, token: 'abc123' },
    { name: '--http-token-file, spaces and CRLF around it dropped', raw: { ...HTTP, httpTokenFile: crlf }, token: 'abc123' },
    { name: 'CLUSTERDNS_HTTP_TOKEN', raw: { ...HTTP, httpTokenEnv: 'env' }, token: 'env' },
    { name: 'a flag wins over the environment', raw: { ...HTTP, httpToken: 'flag', httpTokenEnv: 'env' }, token: 'flag' },
    { name: 'the file wins over the environment', raw: { ...HTTP, httpTokenFile: withNewline, httpTokenEnv: 'env' }, token: 'abc123' },
    { name: 'the environment is ignored without --http', raw: { httpTokenEnv: 'env' }, token: null },
  ];
  it.each(good)('$name', ({ raw, token }) => {
    expect(validateConfig(raw, flagOf)).toMatchObject({ ok: true, config: { httpToken: token } });
  });

  const bad: { name: string; raw: RawConfig; problem: string | RegExp }[] = [
    { name: 'both flags', raw: { ...HTTP, httpToken: 'a', httpTokenFile: withNewline }, problem: 'give the control API token once: --http-token or --http-token-file, not both' },
    { name: 'a missing file', raw: { ...HTTP, httpTokenFile: path.join(dir, 'nope') }, problem: `--http-token-file: cannot read ${path.join(dir, 'nope')}: ENOENT` },
    { name: 'an empty file', raw: { ...HTTP, httpTokenFile: empty }, problem: `--http-token-file ${empty} gives an empty token; give one, or unset it for none` },
    { name: 'spaces inside the token', raw: { ...HTTP, httpTokenFile: spaced }, problem: `--http-token-file ${spaced}: the token must be printable ASCII without spaces` },
    { name: 'an empty CLUSTERDNS_HTTP_TOKEN', raw: { ...HTTP, httpTokenEnv: '' }, problem: 'CLUSTERDNS_HTTP_TOKEN gives an empty token; give one, or unset it for none' },
    { name: 'a non-ASCII flag', raw: { ...HTTP, httpToken: 'tök' }, problem: '--http-token: the token must be printable ASCII without spaces' },
    { name: '--http-token-file without --http', raw: { httpTokenFile: withNewline }, problem: '--http-token-file needs --http ADDR:PORT' },
  ];
  it.each(bad)('$name', ({ raw, problem }) => {
    const result = validateConfig(raw, flagOf);
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.problems).toEqual([problem]);
  });
});

describe('--http-host', () => {
  it('names and addresses, normalized; repeatable and comma-separated', () => {
    const result = validateConfig({ ...HTTP, httpHosts: ['ClusterDNS', 'dns.test.', '[::1]', 'a,b_c'] });
    expect(result).toMatchObject({ ok: true, config: { httpHosts: ['clusterdns', 'dns.test', '::1', 'a', 'b_c'] } });
  });
  it.each([
    { value: 'clusterdns:8080', why: 'a port' },
    { value: 'http://clusterdns', why: 'a URL' },
    { value: '*.example', why: 'a wildcard' },
    { value: '', why: 'nothing' },
  ])('refuses $why', ({ value }) => {
    expect(validateConfig({ ...HTTP, httpHosts: [value] }, flagOf)).toEqual({
      ok: false,
      problems: [`--http-host must be a host name or address without a port, like clusterdns or dns.test, got ${JSON.stringify(value)}`],
    });
  });
  it('needs --http', () => {
    expect(validateConfig({ httpHosts: ['clusterdns'] }, flagOf)).toEqual({ ok: false, problems: ['--http-host needs --http ADDR:PORT'] });
  });
});
