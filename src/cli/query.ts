// `clusterdns query NAME [TYPE]`: the answer a client would get, printed like
// dig — offline from the manifests, or from a running server (--server).

import type { Command } from 'commander';
import { addClusterOptions, type ClusterFlags } from './options.js';
import { isIP } from 'node:net';
import { rrTypeCode } from '../dns/types.js';
import { reverseName } from '../dns/names.js';
import { ExitCode, ExitRequest, reportConfigProblems } from './exit.js';
import { loadClusterOrExit } from './load.js';
import { answerOffline, askServer, parseServerAddress, SERVER_TIMEOUT_MS } from './ask.js';
import { decodeResponse, formatResponse } from './dig-format.js';

interface QueryFlags extends ClusterFlags {
  server?: string;
  timeout?: string;
}

export function registerQuery(program: Command): void {
  const command = program
    .command('query')
    .description('answer NAME like the server would and print it like dig (offline from -f manifests, or --server)')
    .argument('<name>', 'the name to ask; a trailing dot is optional; an IP asks its reverse (PTR) name')
    .argument('[type]', 'record type: A, AAAA, SRV, PTR, TXT, SOA, NS, CNAME, ... or TYPEnnn (default A, PTR for an IP)')
    .option(
      '--server <addr[:port]>',
      'ask a running server instead: UDP, retried over TCP when truncated; -f is then not needed',
    )
    .option('--timeout <ms>', 'with --server: how long to wait for each answer, milliseconds', String(SERVER_TIMEOUT_MS));
  addClusterOptions(command)
    .addHelpText(
      'after',
      `
Offline, the answer is built by the server's own responder: exactly what
\`serve --upstream none\` sends. Names outside the cluster domain are then REFUSED
and ExternalName targets outside the cluster are not looked up; the output says so.

Examples:
  clusterdns query web.shop.svc.cluster.local -f manifests/
  clusterdns query _http._tcp.web.shop.svc.cluster.local SRV -f manifests/
  clusterdns query web.shop.svc.cluster.local --server 127.0.0.1:1053

Exit codes: 0 an answer was printed (whatever its status: NXDOMAIN is an answer),
1 no answer from --server (timeout, refused connection) or a malformed one,
2 bad flags, name or type, or unreadable/invalid manifests.`,
    )
    .action(async (name: string, type: string | undefined, flags: QueryFlags) => {
      const question = readQuestion(name, type);
      const message =
        flags.server === undefined ? await offline(question, flags) : await fromServer(question, flags.server, flags.timeout);
      printResponse(message);
    });
}

interface Question {
  readonly name: string;
  readonly qtype: number;
}

/**
 * NAME and TYPE as given on the command line; an IP stands for its reverse
 * name (as `dig -x`). A bad name or type ends with exit 2.
 */
export function readQuestion(name: string, type: string | undefined): Question {
  const reverse = isIP(name) !== 0;
  const typeText = type ?? (reverse ? 'PTR' : 'A');
  const qtype = rrTypeCode(typeText);
  if (qtype === undefined) return usage(`unknown record type "${typeText}": use A, AAAA, SRV, PTR, TXT, SOA, NS, CNAME or TYPEnnn`);
  if (reverse) return { name: reverseName(name), qtype };
  const trimmed = name.endsWith('.') ? name.slice(0, -1) : name;
  const labels = trimmed === '' ? [] : trimmed.split('.');
  // Latin-1 only: the question is written one byte per character.
  if (labels.some((label) => label === '' || label.length > 63) || trimmed.length > 253 || /[^\x21-\x7e]/.test(trimmed)) {
    return usage(`"${name}" is not a valid DNS name`);
  }
  return { name: trimmed, qtype };
}

async function offline(question: Question, flags: ClusterFlags): Promise<Buffer> {
  const { load } = await loadClusterOrExit(flags);
  const answer = await answerOffline(load.cluster.index, question.name, question.qtype);
  for (const note of answer.notes) process.stdout.write(`;; note: ${note}\n`);
  return answer.message;
}

async function fromServer(question: Question, server: string, timeout = String(SERVER_TIMEOUT_MS)): Promise<Buffer> {
  const address = parseServerAddress(server);
  if (!address) return usage(`--server: expected ADDR or ADDR:PORT ([IPv6]:PORT), got "${server}"`);
  const timeoutMs = Number(timeout);
  if (!/^\d+$/.test(timeout) || timeoutMs < 1 || timeoutMs > 60_000) return usage(`--timeout: expected 1-60000 milliseconds, got "${timeout}"`);
  const message = await askServer(address, question.name, question.qtype, timeoutMs);
  if (message instanceof Error) {
    process.stderr.write(`clusterdns: ${message.message}\n`);
    throw new ExitRequest(ExitCode.FAILURE);
  }
  return message;
}

/** Print the decoded response; a malformed one is a failed query (exit 1). */
function printResponse(message: Buffer): void {
  const decoded = decodeResponse(message);
  if (decoded instanceof Error) {
    process.stderr.write(`clusterdns: malformed response: ${decoded.message}\n`);
    throw new ExitRequest(ExitCode.FAILURE);
  }
  process.stdout.write(formatResponse(decoded));
}

function usage(message: string): never {
  return reportConfigProblems([message]);
}
