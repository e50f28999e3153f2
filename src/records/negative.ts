// Negative answers (NXDOMAIN / NODATA): no records, the zone's SOA in
// authority. Any name can be asked, so they are prepared per (zone, rcode,
// question length) and memoized: a prepared body only depends on where the
// zone's name sits inside the question, which the question's wire length
// fixes (dns/wire.ts CONTRACT).

import { RCode } from '../dns/types.js';
import { nameWireLength, prepareAnswer, type PreparedAnswer } from '../dns/wire.js';
import { soaRecord } from './apex.js';

export class NegativeAnswers {
  private readonly memo = new Map<string, PreparedAnswer>();

  constructor(
    private readonly serial: number,
    private readonly ttl: number,
  ) {}

  nxdomain(apex: string, qnameLength: number): PreparedAnswer {
    return this.get(apex, RCode.NXDOMAIN, qnameLength);
  }

  nodata(apex: string, qnameLength: number): PreparedAnswer {
    return this.get(apex, RCode.NOERROR, qnameLength);
  }

  /** The negative answer for a question of `qnameLength` octets under `apex`. */
  get(apex: string, rcode: number, qnameLength: number): PreparedAnswer {
    const key = `${apex} ${rcode} ${qnameLength}`;
    let answer = this.memo.get(key);
    if (!answer) {
      const question = standIn(apex, qnameLength);
      answer = prepareAnswer(
        question,
        rcode,
        { answer: [], authority: [soaRecord(apex, this.serial, this.ttl)], additional: [] },
        { authoritative: true },
      );
      this.memo.set(key, answer);
    }
    return answer;
  }
}

/**
 * A name under `apex` with the given wire length whose extra labels are made
 * of `0`s: no SOA name can share them, so the encoder only points into the
 * apex part, which every real question of that length under `apex` shares.
 */
function standIn(apex: string, qnameLength: number): string {
  let extra = qnameLength - nameWireLength(apex);
  if (extra <= 0) return apex;
  const labels: string[] = [];
  while (extra > 0) {
    // A label costs 1 + its length (1–63); never leave a single octet behind.
    let size = Math.min(extra, 64);
    if (extra - size === 1) size -= 1;
    labels.push('0'.repeat(size - 1));
    extra -= size;
  }
  return `${labels.join('.')}.${apex}`;
}
