// Mistakes across objects that `clusterdns validate` warns about (and fails
// on with --strict): each object is valid alone, but together they give no
// DNS names where the author surely expected some.
//
// - A Service selector that matches no pod and no pod template in its
//   namespace: its endpoints stay empty (a typo in a label, or the wrong
//   namespace). Services whose endpoints are given (Endpoints or
//   EndpointSlice objects, as in a cluster dump) are left alone.
// - A StatefulSet whose serviceName names no Service, or a Service that is
//   not headless: its pods get no `<pod>.<service>` names.

import type { Labels, ManifestObject, Pod, Problem, SourceRef } from '../model/index.js';
import { matchesServiceSelector } from './selectors.js';

/** Warnings for `objects` as loaded together; `pods` are the built cluster's pods (controller labels included). */
export function consistencyWarnings(objects: readonly ManifestObject[], pods: readonly Pod[]): Problem[] {
  const labelSets = new Map<string, Labels[]>();
  const addLabels = (namespace: string, labels: Labels): void => {
    const list = labelSets.get(namespace);
    if (list) list.push(labels);
    else labelSets.set(namespace, [labels]);
  };
  for (const pod of pods) addLabels(pod.namespace, pod.labels);
  const given = new Set<string>();
  const services = new Map<string, Extract<ManifestObject, { kind: 'Service' }>>();
  for (const object of objects) {
    const { namespace } = object.meta;
    if (object.kind === 'Service') services.set(`${namespace}/${object.meta.name}`, object);
    else if (object.kind === 'Endpoints') given.add(`${namespace}/${object.meta.name}`);
    else if (object.kind === 'EndpointSlice') {
      if (object.serviceName !== undefined) given.add(`${namespace}/${object.serviceName}`);
    } else if (object.kind !== 'Namespace' && object.kind !== 'Pod') addLabels(namespace, object.template.labels);
  }
  const warnings: Problem[] = [];
  for (const [key, service] of services) {
    const { selector } = service;
    if (service.type === 'ExternalName' || selector === undefined || given.has(key)) continue;
    const candidates = labelSets.get(service.meta.namespace) ?? [];
    if (candidates.some((labels) => matchesServiceSelector(selector, labels))) continue;
    warnings.push(warning(service.meta.source, 'spec.selector', `selects no pod: no pod or pod template in namespace ${service.meta.namespace} has the labels ${format(selector)}, so this Service has no endpoints`));
  }
  for (const object of objects) {
    if (object.kind !== 'StatefulSet' || object.serviceName === undefined) continue;
    const service = services.get(`${object.meta.namespace}/${object.serviceName}`);
    if (service === undefined) {
      warnings.push(
        warning(object.meta.source, 'spec.serviceName', `names no Service: there is no Service ${object.meta.namespace}/${object.serviceName}, so the pods get no <pod>.${object.serviceName} names`),
      );
    } else if (service.clusterIP !== 'None') {
      warnings.push(
        warning(object.meta.source, 'spec.serviceName', `names Service ${object.meta.namespace}/${object.serviceName}, which is not headless (clusterIP: None), so the pods get no <pod>.${object.serviceName} names`),
      );
    }
  }
  return warnings;
}

function warning(source: SourceRef, field: string, message: string): Problem {
  return { level: 'warning', source, field, message };
}

function format(labels: Labels): string {
  return Object.entries(labels)
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
}
