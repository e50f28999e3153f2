// The two selector forms Kubernetes uses, kept apart on purpose:
// a Service selects with a plain string map (spec §4.1), a workload with a
// metav1.LabelSelector (spec §5.3). They disagree about the empty case.

import type { Labels, LabelSelector, SelectorRequirement } from '../model/index.js';

/**
 * Service selector (spec §4.1): every key present with exactly that value.
 * Absent or empty selects nothing — such a Service only has endpoints
 * given directly (EndpointSlice/Endpoints objects).
 */
export function matchesServiceSelector(selector: Labels | undefined, labels: Labels): boolean {
  if (!selector) return false;
  let keys = 0;
  for (const [key, value] of Object.entries(selector)) {
    keys++;
    if (!Object.hasOwn(labels, key) || labels[key] !== value) return false;
  }
  return keys > 0;
}

/** Workload LabelSelector (spec §5.3): all matchLabels and all expressions (AND); `{}` matches everything. */
export function matchesLabelSelector(selector: LabelSelector, labels: Labels): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels)) {
    if (!Object.hasOwn(labels, key) || labels[key] !== value) return false;
  }
  return selector.matchExpressions.every((requirement) => matchesRequirement(requirement, labels));
}

function matchesRequirement(requirement: SelectorRequirement, labels: Labels): boolean {
  const present = Object.hasOwn(labels, requirement.key);
  const value = labels[requirement.key];
  switch (requirement.operator) {
    case 'In':
      return present && value !== undefined && requirement.values.includes(value);
    case 'NotIn':
      return !present || value === undefined || !requirement.values.includes(value);
    case 'Exists':
      return present;
    case 'DoesNotExist':
      return !present;
  }
}
