// Runs of the in-process layer, shared by the short suite (npm test) and the
// long run (npm run fuzz): inputs in, counts and findings out, every finding
// filed under the invariant it breaks.

import fc from 'fast-check';
import { readRequest } from '../../src/dns/request.js';
import { scanQuery } from '../../src/server/scan.js';
import { anyDatagram } from './arbitraries.js';
import type { InProcess } from './in-process.js';
import { hasDotInLabel } from './invariants.js';

export const INVARIANTS = ['parses', 'id-and-question', 'size', 'qr-silent', 'crash', 'fast-path'] as const;
export type Invariant = (typeof INVARIANTS)[number];

export interface RunStats {
  inputs: number;
  replies: number;
  /** Datagrams the UDP fast path (src/server/scan.ts) read itself. */
  scanned: number;
  /** Replies to questions with a '.' or '\' inside a label (checked like every other). */
  dottedLabels: number;
  findings: Record<Invariant, string[]>;
}

export function newStats(): RunStats {
  return { inputs: 0, replies: 0, scanned: 0, dottedLabels: 0, findings: Object.fromEntries(INVARIANTS.map((i) => [i, []])) as unknown as Record<Invariant, string[]> };
}

/** Which invariant a violation message belongs to. */
export function classify(violation: string): Invariant {
  if (violation.startsWith('reply does not parse')) return 'parses';
  if (/over the client's limit/.test(violation)) return 'size';
  if (/QR=1|shorter than a header|replies to one query/.test(violation)) return 'qr-silent';
  if (/threw|error log/.test(violation)) return 'crash';
  return 'id-and-question';
}

const MAX_KEPT = 20;

function file(stats: RunStats, invariant: Invariant, message: string): void {
  const list = stats.findings[invariant];
  if (list.length < MAX_KEPT) list.push(message);
  else if (list.length === MAX_KEPT) list.push('... (more not kept)');
}

/**
 * The UDP fast path must read a datagram exactly as the full path does, or
 * leave it alone: the scanned Query equals the codec's readRequest.
 */
function checkFastPath(bytes: Buffer, stats: RunStats): void {
  const copy = Buffer.from(bytes);
  const scanned = scanQuery(bytes, undefined);
  if (!bytes.equals(copy)) file(stats, 'fast-path', `scanQuery changed its input ${copy.toString('hex')}`);
  if (!scanned) return;
  stats.scanned += 1;
  let verdict;
  try {
    verdict = readRequest(copy, 'udp');
  } catch (error) {
    file(stats, 'fast-path', `full path threw on a datagram the fast path accepted: ${String(error)} (${copy.toString('hex')})`);
    return;
  }
  if (verdict.kind !== 'query' || JSON.stringify(verdict.query) !== JSON.stringify(scanned)) {
    file(stats, 'fast-path', `fast path read ${JSON.stringify(scanned)}, full path ${JSON.stringify(verdict)} (${copy.toString('hex')})`);
  }
}

/** Feeds `count` generated datagrams through both transports' request path. */
export async function runInProcess(target: InProcess, count: number, seed: number, stats: RunStats): Promise<void> {
  const errorsBefore = target.errors.length;
  // fc.sample in slices keeps memory flat for a million inputs.
  const slice = 10_000;
  for (let done = 0; done < count; done += slice) {
    const inputs = fc.sample(anyDatagram, { numRuns: Math.min(slice, count - done), seed: seed + done });
    for (const bytes of inputs) {
      checkFastPath(bytes, stats);
      for (const transport of ['udp', 'tcp'] as const) {
        stats.inputs += 1;
        const verdict = await target.exchange(bytes, transport);
        if (verdict.reply) stats.replies += 1;
        if (verdict.reply && hasDotInLabel(bytes)) stats.dottedLabels += 1;
        for (const violation of verdict.violations) {
          file(stats, classify(violation), `${transport}: ${violation} (query ${bytes.toString('hex').slice(0, 400)})`);
        }
      }
    }
  }
  for (const line of target.errors.slice(errorsBefore)) file(stats, 'crash', `error log: ${line.slice(0, 600)}`);
}

export function totalFindings(stats: RunStats): number {
  return INVARIANTS.reduce((sum, invariant) => sum + stats.findings[invariant].filter((f) => !f.startsWith('...')).length, 0);
}
