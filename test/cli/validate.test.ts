// `clusterdns validate`: every problem on stdout, a summary line, and the exit code a CI step reads.

import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/server-process.js';

describe('clusterdns validate', () => {
  it('says ok with counts and exits 0 for good manifests, warnings listed', async () => {
    const result = await runCli(['validate', '-f', 'manifests']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^ok: 11 objects, \d+ records \(1 warning\)$/m);
    expect(result.stdout).toContain('warning: manifests/external-name.yaml, document 1 (line 9): spec.externalName');
  });

  it('exits 1 under --strict when there are warnings', async () => {
    const result = await runCli(['validate', '--strict', '-f', 'manifests']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^failed \(--strict\): 1 warning; 11 objects, \d+ records$/m);
  });

  it('exits 0 under --strict when there is nothing to warn about', async () => {
    const result = await runCli(['validate', '--strict', '-f', 'test/fixtures/explain/no-service.yaml']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^ok: 1 objects, \d+ records$/m);
  });

  it('prints every error with file, document and field, and exits 1', async () => {
    const result = await runCli(['validate', '-f', 'test/fixtures/e2e-invalid']);
    expect(result.code).toBe(1);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toBe('error: test/fixtures/e2e-invalid/broken.yaml, document 1 (line 8): spec.ports[0].port: expected an integer 1-65535, got "eighty"');
    expect(lines[1]).toContain('error: test/fixtures/e2e-invalid/broken.yaml, document 2 (line 13): metadata.name:');
    expect(lines[2]).toBe('failed: 2 errors, 0 warnings');
  });

  it('exits 2 when a manifest path cannot be read', async () => {
    const result = await runCli(['validate', '-f', 'test/fixtures/no-such-file.yaml']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('error: test/fixtures/no-such-file.yaml: cannot read: no such file or directory');
  });

  it('exits 2 on bad flags and without -f', async () => {
    const bad = await runCli(['validate', '-f', 'manifests', '--ttl', 'soon']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--ttl must be an integer from 0 to 3600');
    const none = await runCli(['validate']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no manifests given');
  });
});
