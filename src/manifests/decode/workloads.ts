// Workloads whose pod templates become pods (spec §5.2): StatefulSet,
// Deployment, ReplicaSet, DaemonSet, Job. Each needs a template with labels
// and a selector that matches them (spec §5.3), as the API server demands.

import { type DaemonSetObject, type DeploymentObject, type JobObject, type LabelSelector, matchesLabelSelector, type ObjectMeta, type PodTemplate, type ReplicaSetObject, type ReplicationControllerObject, type StatefulSetObject } from '../../cluster/index.js';
import { readLabelName } from './names.js';
import { readPodSpec } from './pod.js';
import type { Field } from './reader.js';
import { checkAddressAnnotation } from './address-annotation.js';
import { formatLabelSelector, formatLabels, readLabelSelector } from './selector.js';
import { definedFields } from './defined.js';

const MAX = Number.MAX_SAFE_INTEGER;

interface WorkloadParts {
  readonly spec: Field;
  readonly selector?: LabelSelector;
  readonly template: PodTemplate;
}

/**
 * The parts every workload shares. apps/v1 kinds require a selector and
 * template labels; a Job may omit both (its controller generates them).
 */
function readWorkload(root: Field, required: boolean): WorkloadParts {
  const spec = root.get('spec');
  spec.mapping({ required: true });
  const templateField = spec.get('template');
  templateField.mapping({ required: true });
  const labelsField = templateField.get('metadata').get('labels');
  if (required && !labelsField.present) {
    labelsField.error('required field is missing (the pod template needs labels for spec.selector to match)');
  }
  const template: PodTemplate = {
    labels: labelsField.stringMap(),
    annotations: templateField.get('metadata').get('annotations').stringMap(),
    spec: readPodSpec(templateField.get('spec')),
  };
  checkAddressAnnotation(templateField.get('metadata'), { allowed: true });
  const selector = readLabelSelector(spec.get('selector'), { required });
  if (selector !== undefined && labelsField.present && !matchesLabelSelector(selector, template.labels)) {
    labelsField.error(
      `selector does not match template labels: spec.selector is "${formatLabelSelector(selector)}", the template's labels are "${formatLabels(template.labels)}"`,
    );
  }
  return definedFields({ spec, template, selector });
}

/** Required selectors are reported by readWorkload; this fallback never reaches the cluster. */
const NO_SELECTOR: LabelSelector = { matchLabels: {}, matchExpressions: [] };

function readReplicas(spec: Field): number {
  return spec.get('replicas').integer(0, MAX) ?? 1;
}

export function decodeStatefulSet(root: Field, meta: ObjectMeta): StatefulSetObject {
  const { spec, selector, template } = readWorkload(root, true);
  const serviceName = readLabelName(spec.get('serviceName'), { emptyIsAbsent: true });
  const ordinals = spec.get('ordinals');
  ordinals.mapping();
  return definedFields({
    kind: 'StatefulSet',
    meta,
    selector: selector ?? NO_SELECTOR,
    template,
    replicas: readReplicas(spec),
    serviceName,
    ordinalsStart: ordinals.get('start').integer(0, MAX) ?? 0,
  });
}

export function decodeDeployment(root: Field, meta: ObjectMeta): DeploymentObject {
  const { spec, selector, template } = readWorkload(root, true);
  return { kind: 'Deployment', meta, selector: selector ?? NO_SELECTOR, template, replicas: readReplicas(spec) };
}

export function decodeReplicaSet(root: Field, meta: ObjectMeta): ReplicaSetObject {
  const { spec, selector, template } = readWorkload(root, true);
  return { kind: 'ReplicaSet', meta, selector: selector ?? NO_SELECTOR, template, replicas: readReplicas(spec) };
}

/**
 * A ReplicationController: spec.selector is a plain label map, defaulted to
 * the template's labels; one that is given must match them, and the two
 * cannot both be empty (the API server's rules).
 */
export function decodeReplicationController(root: Field, meta: ObjectMeta): ReplicationControllerObject {
  const spec = root.get('spec');
  spec.mapping({ required: true });
  const templateField = spec.get('template');
  templateField.mapping({ required: true });
  const labelsField = templateField.get('metadata').get('labels');
  const template: PodTemplate = {
    labels: labelsField.stringMap(),
    annotations: templateField.get('metadata').get('annotations').stringMap(),
    spec: readPodSpec(templateField.get('spec')),
  };
  checkAddressAnnotation(templateField.get('metadata'), { allowed: true });
  const selectorField = spec.get('selector');
  const given = selectorField.stringMap();
  const matchLabels = Object.keys(given).length > 0 ? given : template.labels;
  const selector: LabelSelector = { matchLabels, matchExpressions: [] };
  if (Object.keys(matchLabels).length === 0) {
    selectorField.error('required field is missing (it defaults to the pod template\'s labels, and the template has none)');
  } else if (!matchesLabelSelector(selector, template.labels)) {
    labelsField.error(
      `selector does not match template labels: spec.selector is "${formatLabels(matchLabels)}", the template's labels are "${formatLabels(template.labels)}"`,
    );
  }
  return { kind: 'ReplicationController', meta, selector, template, replicas: readReplicas(spec) };
}

export function decodeDaemonSet(root: Field, meta: ObjectMeta): DaemonSetObject {
  const { selector, template } = readWorkload(root, true);
  return { kind: 'DaemonSet', meta, selector: selector ?? NO_SELECTOR, template };
}

export function decodeJob(root: Field, meta: ObjectMeta): JobObject {
  const { spec, selector, template } = readWorkload(root, false);
  const completionMode = spec.get('completionMode').oneOf(['NonIndexed', 'Indexed'] as const) ?? 'NonIndexed';
  const completionsField = spec.get('completions');
  const completions = completionsField.integer(0, MAX);
  if (completionMode === 'Indexed' && !completionsField.present) {
    completionsField.error('required when completionMode is Indexed');
  }
  return definedFields({
    kind: 'Job',
    meta,
    selector,
    template,
    completionMode,
    parallelism: spec.get('parallelism').integer(0, MAX) ?? 1,
    completions,
  });
}
