// `clusterdns records`: every record the manifests produce, as a zone file
// CoreDNS's `file` plugin can load (default), /etc/hosts lines, or JSON.

import { Option, type Command } from 'commander';
import { addClusterOptions, type ClusterFlags } from './options.js';
import { absolute, formatData, formatRecord, sortRecords } from '../dns/zonetext.js';
import type { ResourceRecord } from '../dns/types.js';
import { IPV4_REVERSE_ZONE, IPV6_REVERSE_ZONE, isSubdomain, normalizeName } from '../dns/names.js';
import { loadClusterOrExit } from './load.js';
import { reportConfigProblems } from './exit.js';

const RECORD_FORMATS = ['zone', 'hosts', 'json'] as const;
type RecordFormat = (typeof RECORD_FORMATS)[number];

interface RecordsFlags extends ClusterFlags {
  format?: RecordFormat;
  zone?: string;
}

export function registerRecords(program: Command): void {
  const command = program
    .command('records')
    .description('print every record the manifests produce (no server started): zone file, /etc/hosts lines or JSON')
    .addOption(new Option('--format <format>', 'output format').choices(RECORD_FORMATS).default('zone'))
    .option(
      '--zone <zone>',
      `only the records of this zone: the cluster domain, ${IPV4_REVERSE_ZONE} or ${IPV6_REVERSE_ZONE} ` +
        '(default: the cluster domain for --format zone, every record otherwise)',
    );
  addClusterOptions(command)
    .addHelpText(
      'after',
      `
--format zone prints one zone ($ORIGIN, SOA first, NS) that CoreDNS's file plugin
loads: "file db.cluster.local cluster.local". PTR records live in the reverse
zones: print those with --zone ${IPV4_REVERSE_ZONE} (or ${IPV6_REVERSE_ZONE}), one file each.
--format hosts prints "IP name" for every A/AAAA record; --format json an array of
{name, ttl, type, data}.

Examples:
  clusterdns records -f manifests/ > db.cluster.local
  clusterdns records -f manifests/ --zone in-addr.arpa > db.in-addr.arpa
  clusterdns records -f manifests/ --format hosts
  clusterdns records -f manifests/ --format json | jq '.[] | select(.type == "SRV")'

Exit codes: 0 ok, 2 bad flags or unreadable/invalid manifests.`,
    )
    .action(async (flags: RecordsFlags) => {
      const format = flags.format ?? 'zone';
      const { config, load } = await loadClusterOrExit(flags);
      const zone = readZone(flags.zone, config.clusterDomain, format);
      const all = load.cluster.index.records();
      const records = all.filter((rr) => zone === undefined || isSubdomain(normalizeName(rr.name), zone));
      const apexNs = all.find((rr) => rr.data.type === 'NS' && rr.name === config.clusterDomain);
      process.stdout.write(formatRecords(sortRecords(records), format, zone, apexNs));
    });
}

/** The zone asked for (normalized), or undefined for every record; a zone we do not serve ends with exit 2. */
function readZone(flag: string | undefined, clusterDomain: string, format: RecordFormat): string | undefined {
  if (flag === undefined) return format === 'zone' ? clusterDomain : undefined;
  const zone = normalizeName(flag);
  const ours = [clusterDomain, IPV4_REVERSE_ZONE, IPV6_REVERSE_ZONE];
  if (ours.includes(zone)) return zone;
  return reportConfigProblems([`--zone must be one of ${ours.join(', ')}, got "${flag}"`]);
}

/**
 * The whole output for `records`, newline-terminated; `records` sorted.
 * `nameserver` is the cluster zone's NS record, lent to a reverse zone file.
 */
export function formatRecords(
  records: readonly ResourceRecord[],
  format: RecordFormat,
  zone?: string,
  nameserver?: ResourceRecord,
): string {
  switch (format) {
    case 'zone':
      return zoneFile(records, zone, nameserver);
    case 'hosts':
      return lines(hostsLines(records));
    case 'json':
      return JSON.stringify(records.map(jsonRecord), null, 2) + '\n';
  }
}

function lines(text: readonly string[]): string {
  return text.length === 0 ? '' : text.join('\n') + '\n';
}

/**
 * RFC 1035 master-file text as CoreDNS's file plugin reads it (plugin/file
 * Parse): $ORIGIN for the zone, its SOA first (the plugin requires one, and
 * keeps the last it sees, so a file holds one zone), the apex NS, then the
 * other records with absolute names. A reverse zone has no NS of its own in
 * the index; it gets one naming the cluster's nameserver, so the file is a
 * complete zone (named-checkzone refuses one without NS).
 */
function zoneFile(records: readonly ResourceRecord[], zone: string | undefined, nameserver?: ResourceRecord): string {
  const soa = records.filter((rr) => rr.data.type === 'SOA');
  const rest = records.filter((rr) => rr.data.type !== 'SOA');
  const hasNs = rest.some((rr) => rr.data.type === 'NS' && rr.name === zone);
  const ns = zone !== undefined && !hasNs && nameserver ? [{ ...nameserver, name: zone }] : [];
  const header = zone === undefined ? [] : [`$ORIGIN ${absolute(zone)}`];
  return lines([...header, ...[...soa, ...ns, ...rest].map(formatRecord)]);
}

/** `IP name` for every A/AAAA record, each pair once, in record order. */
function hostsLines(records: readonly ResourceRecord[]): string[] {
  const pairs = new Set<string>();
  for (const record of records) {
    if (record.data.type === 'A' || record.data.type === 'AAAA') pairs.add(`${record.data.address} ${record.name}`);
  }
  return [...pairs];
}

function jsonRecord(record: ResourceRecord): { name: string; ttl: number; type: string; data: string } {
  return { name: absolute(record.name), ttl: record.ttl, type: record.data.type, data: formatData(record.data) };
}
