// Every everyday command has --help with an example and its exit codes.

import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/server-process.js';

const commands = ['validate', 'query', 'explain', 'records', 'resolv-conf', 'host-setup'];

describe('--help of the everyday commands', () => {
  it.each(commands)('%s --help shows usage, examples and exit codes', async (command) => {
    const result = await runCli([command, '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Usage: clusterdns ${command}`);
    expect(result.stdout).toContain('Examples:');
    expect(result.stdout).toMatch(/Exit codes: 0 /);
  });

  it('the program help lists every command', async () => {
    const result = await runCli(['--help']);
    for (const command of commands) expect(result.stdout).toContain(command);
  });
});
