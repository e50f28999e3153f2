// spec.ports of a Service: numbers, protocols, names (they become SRV labels,
// `_<name>._<proto>`), targetPorts, and the uniqueness rules the API server
// applies.

import type { ServicePort } from '../../cluster/index.js';
import { portNameProblem, readServicePortName } from './names.js';
import { PROTOCOLS } from './pod.js';
import type { Field } from './reader.js';
import { definedFields, trimmed } from './defined.js';

/**
 * Reads and checks the port list. `required` is set for services that must
 * have ports (the API server requires them everywhere but headless and
 * ExternalName services).
 */
export function readServicePorts(field: Field, required: boolean): ServicePort[] {
  const items = field.list();
  if (items.length === 0 && required) {
    field.error('at least one port is required (only headless and ExternalName services may have no ports)');
  }
  const ports: ServicePort[] = [];
  const names = new Map<string, number>();
  const numbers = new Map<string, number>();
  items.forEach((item, index) => {
    if (!item.mapping({ required: true })) return;
    const port = readServicePort(item, items.length > 1);
    if (port === undefined) return;
    if (port.name !== undefined) {
      const first = names.get(port.name);
      if (first !== undefined) item.get('name').error(`duplicate port name "${port.name}" (also ports[${first}])`);
      else names.set(port.name, index);
    }
    const key = `${port.port}/${port.protocol}`;
    const firstNumber = numbers.get(key);
    if (firstNumber !== undefined) item.get('port').error(`duplicate port ${key} (also ports[${firstNumber}])`);
    else numbers.set(key, index);
    ports.push(port);
  });
  return trimmed(ports);
}

function readServicePort(item: Field, several: boolean): ServicePort | undefined {
  const nameField = item.get('name');
  const name = readServicePortName(nameField);
  if (several && name === undefined && (!nameField.present || nameField.value === '')) {
    nameField.error('required when a Service has more than one port (names become SRV labels: _<name>._tcp)');
  }
  const port = item.get('port').integer(1, 65535, { required: true });
  const protocol = item.get('protocol').oneOf(PROTOCOLS) ?? 'TCP';
  const targetPort = readTargetPort(item.get('targetPort'));
  if (port === undefined) return undefined;
  return definedFields({ name, protocol, port, targetPort });
}

/** An integer 1-65535 or the name of a container port (IANA service name). */
function readTargetPort(field: Field): number | string | undefined {
  const value = field.value;
  if (!field.present) return undefined;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65535) return value;
  if (typeof value === 'string' && portNameProblem(value) === undefined) return value;
  const hint = typeof value === 'string' ? ` (a port name ${portNameProblem(value) ?? ''})` : '';
  return field.expected(`an integer 1-65535 or a container port name${hint}`);
}
