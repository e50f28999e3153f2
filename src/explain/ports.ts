// `_<port>._<proto>.<svc>.<ns>.svc` names (spec §3.1, §3.2): only named
// ports get them.

import type { NamedPort, Service } from '../cluster/index.js';
import { findService, listOf, objectId, plural, serviceFqdn } from './describe.js';
import { endpointHealth, externalName, missingService } from './services.js';
import type { Context, Finding } from './types.js';

function portText(port: NamedPort): string {
  return `${port.port}/${port.protocol}`;
}

export function explainSrv(ctx: Context, namespace: string, serviceName: string, portName: string, protocol: string): Finding[] {
  const missing = missingService(ctx, namespace, serviceName);
  if (missing) return missing;
  const service = findService(ctx, namespace, serviceName) as Service;
  if (service.kind === 'ExternalName') return [externalName(ctx, service)];
  const sameName = service.ports.filter((port) => port.name?.toLowerCase() === portName);
  const port = sameName.find((candidate) => candidate.protocol.toLowerCase() === protocol);
  if (!port) return noSuchPort(ctx, service, portName, protocol, sameName);
  if (service.kind === 'ClusterIP') {
    return [
      {
        reason: 'srv-port',
        message: `port "${port.name}" (${portText(port)}) of ClusterIP service ${objectId(service)}: one SRV to ${serviceFqdn(ctx, service)}. with the service port ${port.port}`,
      },
    ];
  }
  const targets = service.endpoints.filter(
    (endpoint) => endpoint.ready && endpoint.ports.some((candidate) => candidate.name?.toLowerCase() === portName),
  );
  if (targets.length === 0) {
    return [
      {
        reason: 'srv-port',
        message: `port "${port.name}" of headless service ${objectId(service)} has no ready endpoint, so there is no SRV (NXDOMAIN)`,
      },
      ...endpointHealth(ctx, service),
    ];
  }
  return [
    {
      reason: 'srv-port',
      message: `port "${port.name}" of headless service ${objectId(service)}: one SRV per ready endpoint (${plural(targets.length, 'endpoint')}), with the endpoint's port`,
    },
  ];
}

function noSuchPort(ctx: Context, service: Service, portName: string, protocol: string, sameName: readonly NamedPort[]): Finding[] {
  const id = objectId(service);
  const wanted = `_${portName}._${protocol}`;
  const other = sameName[0];
  if (other) {
    return [
      {
        reason: 'no-such-port',
        message: `port "${portName}" of service ${id} is ${other.protocol}, not ${protocol.toUpperCase()}`,
        details: [`ask _${portName}._${other.protocol.toLowerCase()}.${serviceFqdn(ctx, service)}`],
      },
    ];
  }
  const unnamed = service.ports.filter((port) => !port.name);
  const named = service.ports.filter((port) => port.name);
  const namedText = named.map((port) => `_${(port.name ?? '').toLowerCase()}._${port.protocol.toLowerCase()} (${portText(port)})`);
  if (unnamed.length > 0) {
    return [
      {
        reason: 'port-unnamed',
        message:
          `service ${id} has no port named "${portName}": its ${unnamed.length === 1 ? 'port' : 'ports'} ${listOf(unnamed.map(portText))} ` +
          `${unnamed.length === 1 ? 'has' : 'have'} no name, and an unnamed port gets no ${wanted} SRV name (docs/behaviour.md#named-ports-and-srv)`,
        details: [
          `give the port a name in the Service (ports[].name: ${portName}), or ask ${serviceFqdn(ctx, service)} SRV, which lists unnamed ports too`,
          ...(named.length > 0 ? [`its named ports: ${listOf(namedText)}`] : []),
        ],
      },
    ];
  }
  return [
    {
      reason: 'no-such-port',
      message: `service ${id} has no port named "${portName}"`,
      details: [named.length > 0 ? `its named ports: ${listOf(namedText)}` : 'it has no ports'],
    },
  ];
}
