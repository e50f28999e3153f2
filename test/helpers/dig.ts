// Ask a server with the real `dig`, and read its answer the way a user does.

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface DigResult {
  /** The whole output, as a user sees it. */
  readonly text: string;
  readonly status: string;
  readonly flags: string[];
  /** Records of the ANSWER / AUTHORITY / ADDITIONAL sections, whitespace-normalized zone lines. */
  readonly answer: string[];
  readonly authority: string[];
  readonly additional: string[];
}

export async function dig(port: number, args: readonly string[]): Promise<DigResult> {
  const { stdout } = await run('dig', ['@127.0.0.1', '-p', String(port), '+tries=1', '+time=2', ...args]);
  return parseDig(stdout);
}

export function parseDig(text: string): DigResult {
  const status = /status: (\w+)/.exec(text)?.[1] ?? '';
  const flags = (/;; flags: ([^;]*);/.exec(text)?.[1] ?? '').trim().split(/\s+/).filter(Boolean);
  const sections: Record<string, string[]> = { ANSWER: [], AUTHORITY: [], ADDITIONAL: [] };
  let current: string[] | undefined;
  for (const line of text.split('\n')) {
    const header = /^;; (\w+) SECTION:/.exec(line);
    if (header) {
      current = sections[header[1]!];
      continue;
    }
    if (line.trim() === '') {
      current = undefined;
      continue;
    }
    if (current && !line.startsWith(';')) current.push(line.trim().split(/\s+/).join(' '));
  }
  return {
    text,
    status,
    flags,
    answer: sections['ANSWER']!,
    authority: sections['AUTHORITY']!,
    additional: sections['ADDITIONAL']!.filter((line) => !line.includes('OPT')),
  };
}
