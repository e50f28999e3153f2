// The text `clusterdns explain` prints: the outcome, the answer records, then
// one bullet per finding with its details indented under it.

import { rrTypeName } from '../dns/types.js';
import type { Explanation, Outcome } from './types.js';

function outcomeText(outcome: Outcome): string {
  switch (outcome.kind) {
    case 'answer':
      return `NOERROR, ${outcome.records} ${outcome.records === 1 ? 'record' : 'records'}`;
    case 'nodata':
      return 'NOERROR, no records (NODATA)';
    case 'nxdomain':
      return 'NXDOMAIN';
    case 'external':
      return `CNAME to ${outcome.target}., then what the upstream has for it`;
    case 'resolved':
      return `the addresses of ${outcome.targets.join(', ')} (clusterdns.io/address), asked upstream`;
    case 'refused':
      return 'REFUSED (zone transfers are not served)';
    case 'forwarded':
      return 'not ours: forwarded upstream (offline: REFUSED)';
  }
}

/** Newline-terminated text; `answer` holds the answer section as zone-file lines. */
export function formatExplanation(explanation: Explanation, answer: readonly string[] = []): string {
  const lines = [`${explanation.name}. ${rrTypeName(explanation.qtype)}: ${outcomeText(explanation.outcome)}`];
  for (const record of answer) lines.push(`  ${record}`);
  lines.push('why:');
  for (const finding of explanation.findings) {
    lines.push(`  - ${finding.message}`);
    for (const detail of finding.details ?? []) lines.push(`      ${detail}`);
  }
  return lines.join('\n') + '\n';
}
