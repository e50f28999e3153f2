// Workload LabelSelectors (spec §5.3): matchLabels + matchExpressions.
// Service selectors are plain maps and are read in service.ts.

import type { Labels, LabelSelector, SelectorOperator, SelectorRequirement } from '../../cluster/index.js';
import type { Field } from './reader.js';

const OPERATORS: readonly SelectorOperator[] = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

/** Reads a LabelSelector; undefined when absent (or not a mapping, which is reported). */
export function readLabelSelector(field: Field, options?: { required?: boolean }): LabelSelector | undefined {
  if (!field.mapping(options)) return undefined;
  for (const [key, child] of field.entries()) {
    if (key !== 'matchLabels' && key !== 'matchExpressions') {
      child.error('unknown selector field; a LabelSelector has only matchLabels and matchExpressions');
    }
  }
  const matchLabels = field.get('matchLabels').stringMap();
  const matchExpressions = field
    .get('matchExpressions')
    .list()
    .map(readRequirement)
    .filter((requirement): requirement is SelectorRequirement => requirement !== undefined);
  return { matchLabels, matchExpressions };
}

function readRequirement(field: Field): SelectorRequirement | undefined {
  if (!field.mapping({ required: true })) return undefined;
  const key = field.get('key').string({ required: true });
  const operator = field.get('operator').oneOf(OPERATORS, { required: true });
  const valuesField = field.get('values');
  const items = valuesField.list();
  const values = items.map((value) => value.string()).filter((value): value is string => value !== undefined);
  if (operator === 'In' || operator === 'NotIn') {
    if (items.length === 0) {
      valuesField.error(`must be a non-empty list when operator is ${operator}`);
    }
  } else if (operator !== undefined && items.length > 0) {
    valuesField.error(`must be empty when operator is ${operator}, got ${items.length} value(s)`);
  }
  // An invalid requirement is dropped (it is reported), so it cannot cause a
  // second, confusing "does not match template labels" error.
  const valid = (operator === 'In' || operator === 'NotIn') === items.length > 0 && values.length === items.length;
  if (key === undefined || operator === undefined || !valid) return undefined;
  return { key, operator, values };
}

/** Kubernetes' text form (`app=web,tier in (a,b),!legacy`), for messages. */
export function formatLabelSelector(selector: LabelSelector): string {
  const parts = Object.entries(selector.matchLabels).map(([key, value]) => `${key}=${value}`);
  for (const { key, operator, values } of selector.matchExpressions) {
    if (operator === 'Exists') parts.push(key);
    else if (operator === 'DoesNotExist') parts.push(`!${key}`);
    else parts.push(`${key} ${operator === 'In' ? 'in' : 'notin'} (${values.join(',')})`);
  }
  return parts.length === 0 ? '(empty: matches everything)' : parts.join(',');
}

export function formatLabels(labels: Labels): string {
  const parts = Object.entries(labels).map(([key, value]) => `${key}=${value}`);
  return parts.length === 0 ? '(none)' : parts.join(',');
}
