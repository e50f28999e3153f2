// The UDP socket's kernel receive queue (issue 7, UDP flood): Linux's default
// (~208 KiB) overflowed within milliseconds under a flood and ordinary
// clients' queries were lost with the flooder's. The server asks for 4 MiB;
// the kernel grants at most net.core.rmem_max.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bindPair, UDP_RECEIVE_BUFFER_BYTES } from '../../src/server/listen.js';

function rmemMax(): number {
  try {
    return Number(readFileSync('/proc/sys/net/core/rmem_max', 'utf8').trim());
  } catch {
    return Number.POSITIVE_INFINITY; // not Linux: nothing caps the request
  }
}

describe('UDP receive buffer', () => {
  it('asks for 4 MiB and gets it up to net.core.rmem_max', async () => {
    const { udp, tcp } = await bindPair('127.0.0.1', 0);
    try {
      expect(UDP_RECEIVE_BUFFER_BYTES).toBe(4 * 1024 * 1024);
      // Linux reports twice what was set (its bookkeeping overhead).
      expect(udp.getRecvBufferSize()).toBeGreaterThanOrEqual(Math.min(UDP_RECEIVE_BUFFER_BYTES, rmemMax()));
    } finally {
      udp.close();
      tcp.close();
    }
  });
});
