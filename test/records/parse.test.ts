// parseQueryName alone, like CoreDNS parse_test.go: valid rows, then invalid
// rows each with a reason.
import { describe, expect, it } from 'vitest';
import { parseQueryName, type ParsedName } from '../../src/records/parse.js';

describe('parseQueryName (§2)', () => {
  const valid: Array<{ relative: string; want: ParsedName }> = [
    { relative: '', want: { kind: 'apex' } },
    { relative: 'svc', want: { kind: 'type-label', type: 'svc' } },
    { relative: 'pod', want: { kind: 'type-label', type: 'pod' } },
    { relative: 'dns-version', want: { kind: 'dns-version' } },
    { relative: 'ns.dns', want: { kind: 'nameserver' } },
    { relative: 'prod.svc', want: { kind: 'namespace', type: 'svc', namespace: 'prod' } },
    { relative: 'team.pod', want: { kind: 'namespace', type: 'pod', namespace: 'team' } },
    { relative: 'web.prod.svc', want: { kind: 'service', namespace: 'prod', service: 'web' } },
    {
      relative: 'db-0.db.prod.svc',
      want: { kind: 'endpoint', namespace: 'prod', service: 'db', endpoint: 'db-0' },
    },
    {
      relative: '_http._tcp.web.prod.svc',
      want: { kind: 'srv', namespace: 'prod', service: 'web', port: 'http', protocol: 'tcp' },
    },
    {
      // §8: read as port `db` / proto `prod` of a service `svc` in `team` (underscores optional, CoreDNS)
      relative: 'db.prod.svc.team.svc',
      want: { kind: 'srv', namespace: 'team', service: 'svc', port: 'db', protocol: 'prod' },
    },
    { relative: '10-244-3-1.team.pod', want: { kind: 'pod', namespace: 'team', label: '10-244-3-1', ignored: 0 } },
    { relative: 'busybox1.team.pod', want: { kind: 'pod', namespace: 'team', label: 'busybox1', ignored: 0 } },
    // §10: labels left of the dashed IP are ignored, as CoreDNS does
    { relative: 'x.10-244-3-1.team.pod', want: { kind: 'pod', namespace: 'team', label: '10-244-3-1', ignored: 1 } },
    { relative: '_http._tcp.10-244-3-1.team.pod', want: { kind: 'pod', namespace: 'team', label: '10-244-3-1', ignored: 2 } },
  ];
  it.each(valid)('valid: "$relative"', ({ relative, want }) => expect(parseQueryName(relative)).toEqual(want));

  const invalid = [
    { relative: 'web', reason: 'unknown-type-label' },
    { relative: 'web.prod', reason: 'unknown-type-label' },
    { relative: 'dns', reason: 'unknown-type-label' },
    { relative: 'x.dns-version', reason: 'unknown-type-label' },
    { relative: 'a.web.prod.svc.x', reason: 'unknown-type-label' },
    { relative: '_pg._tcp.db.prod.svc.team.svc', reason: 'too-long' },
    { relative: 'a.b.c.d.e.svc', reason: 'too-long' },
  ];
  it.each(invalid)('invalid: "$relative" ($reason)', ({ relative, reason }) =>
    expect(parseQueryName(relative)).toEqual({ kind: 'invalid', reason }),
  );
});
