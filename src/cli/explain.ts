// `clusterdns explain NAME [TYPE]`: why a name answers what it does, and
// above all why it is NXDOMAIN or NODATA, from the manifests.

import type { Command } from 'commander';
import { addClusterOptions, type ClusterFlags } from './options.js';
import { loadClusterOrExit } from './load.js';
import { readQuestion } from './query.js';
import { answerOffline } from './ask.js';
import { decodeResponse } from './dig-format.js';
import { explain, formatExplanation } from '../explain/index.js';

export function registerExplain(program: Command): void {
  const command = program
    .command('explain')
    .description('say why NAME answers what it does (or is NXDOMAIN/NODATA), from the -f manifests')
    .argument('<name>', 'the name to explain; a trailing dot is optional; an IP means its reverse (PTR) name')
    .argument('[type]', 'record type: A, AAAA, SRV, PTR, TXT, SOA, NS, CNAME, ... or TYPEnnn (default A, PTR for an IP)');
  addClusterOptions(command)
    .addHelpText(
      'after',
      `
Reasons it reports include: no such service; a service of that name in another
namespace; a selector that matches no pod (with the nearest pods' labels); pods
not ready; an unnamed port (no SRV name); a pod hostname without a matching
subdomain service; a pod name used as a DNS name (never one).

Examples:
  clusterdns explain web.shop.svc.cluster.local -f manifests/
  clusterdns explain _http._tcp.web.shop.svc.cluster.local SRV -f manifests/

Exit codes: 0 explained (whatever the answer), 2 bad flags, bad name or type,
or manifests with errors.`,
    )
    .action(async (name: string, type: string | undefined, flags: ClusterFlags) => {
      const question = readQuestion(name, type);
      const { config, load } = await loadClusterOrExit(flags);
      const { state, index } = load.cluster;
      const explanation = explain({ state, index, podMode: config.podMode, name: question.name, qtype: question.qtype });
      const decoded = decodeResponse((await answerOffline(index, question.name, question.qtype)).message);
      const answer = decoded instanceof Error ? [] : decoded.answer;
      process.stdout.write(formatExplanation(explanation, answer));
    });
}
