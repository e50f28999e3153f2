// Pod objects and the pod spec shared with workload templates: hostname,
// subdomain, restartPolicy, container ports; and the status fields the
// endpoint rules read (spec §4.1, §5.1).

import { type ContainerPort, familyOf, type ObjectMeta, type PodObject, type PodSpec, type PodStatus, type Protocol, type RestartPolicy } from '../../cluster/index.js';
import { readController } from './meta.js';
import { readIP, readLabelName, readPortName } from './names.js';
import { type Field, isPlainObject } from './reader.js';
import { definedFields, trimmed } from './defined.js';

export const PROTOCOLS: readonly Protocol[] = ['TCP', 'UDP', 'SCTP'];
const RESTART_POLICIES: readonly RestartPolicy[] = ['Always', 'OnFailure', 'Never'];
const PHASES = ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'] as const;

export function decodePod(root: Field, meta: ObjectMeta): PodObject {
  const spec = readPodSpec(root.get('spec'));
  const statusField = root.get('status');
  // No status at all means "not scheduled by a real cluster": IPs are synthesized (spec §5.1).
  const status = statusField.present ? readPodStatus(statusField) : undefined;
  return definedFields({ kind: 'Pod', meta, controller: readController(root), spec, status });
}

/**
 * The parts of a PodSpec the DNS uses. `containers` is not required: the DNS
 * needs nothing from it but ports, so a minimal pod is easier to write.
 */
export function readPodSpec(field: Field): PodSpec {
  field.mapping();
  const hostname = readLabelName(field.get('hostname'), { emptyIsAbsent: true });
  const subdomain = readLabelName(field.get('subdomain'), { emptyIsAbsent: true });
  const restartPolicy = field.get('restartPolicy').oneOf(RESTART_POLICIES) ?? 'Always';
  // initContainers are ignored: their ports are not reachable through Services.
  const containerPorts = trimmed(field.get('containers').list().flatMap(readContainerPorts));
  return definedFields({ hostname, subdomain, restartPolicy, containerPorts });
}

function readContainerPorts(container: Field): ContainerPort[] {
  if (!container.mapping()) return [];
  const seen = new Set<string>();
  const ports: ContainerPort[] = [];
  for (const port of container.get('ports').list()) {
    if (!port.mapping({ required: true })) continue;
    const containerPort = port.get('containerPort').integer(1, 65535, { required: true });
    const name = readPortName(port.get('name'));
    const protocol = port.get('protocol').oneOf(PROTOCOLS) ?? 'TCP';
    if (name !== undefined && seen.has(name)) port.get('name').error(`duplicate port name "${name}" in this container`);
    if (name !== undefined) seen.add(name);
    if (containerPort !== undefined) ports.push(definedFields({ name, containerPort, protocol }));
  }
  return ports;
}

function readPodStatus(field: Field): PodStatus {
  field.mapping();
  const phase = field.get('phase').oneOf(PHASES);
  const podIPs = readPodIPs(field);
  const readyCondition = readReadyCondition(field.get('conditions'));
  return definedFields({ phase, podIPs, readyCondition });
}

/** status.podIPs (strings or `{ip}` objects as the API writes them) checked against status.podIP. */
function readPodIPs(status: Field): string[] {
  const podIP = readIP(status.get('podIP'), 'any');
  const listField = status.get('podIPs');
  const ips: string[] = [];
  for (const item of listField.list()) {
    const ipField = typeof item.value === 'string' ? item : isPlainObject(item.value) ? item.get('ip') : undefined;
    if (ipField === undefined) {
      item.expected('an IP address or a mapping {ip: <address>}');
      continue;
    }
    const ip = readIP(ipField, 'any', { required: true });
    if (ip !== undefined) ips.push(ip);
  }
  if (ips.length === 0) return podIP === undefined ? [] : [podIP];
  checkOnePerFamily(listField, ips, 'pod');
  if (podIP !== undefined && ips[0] !== podIP) {
    listField.get(0).error(`must equal status.podIP ("${podIP}"), got "${ips[0]}"`);
  }
  return trimmed(ips);
}

/** At most one address per family, at most two in all (spec §6). */
export function checkOnePerFamily(field: Field, ips: readonly string[], what: string): void {
  if (ips.length > 2) {
    field.error(`expected at most 2 ${what} IPs (one per family), got ${ips.length}`);
    return;
  }
  if (ips.length === 2 && familyOf(ips[0] ?? '') === familyOf(ips[1] ?? '')) {
    field.error(`expected at most one ${what} IP per family, got two ${familyOf(ips[0] ?? '')} addresses`);
  }
}

/** The Ready condition: "True" -> true, "False"/"Unknown" -> false (only True counts as ready). */
function readReadyCondition(conditions: Field): boolean | undefined {
  let ready: boolean | undefined;
  for (const condition of conditions.list()) {
    if (!condition.mapping({ required: true }) || condition.get('type').value !== 'Ready') continue;
    const status = condition.get('status').oneOf(['True', 'False', 'Unknown'] as const, { required: true });
    if (status !== undefined) ready = status === 'True';
  }
  return ready;
}
