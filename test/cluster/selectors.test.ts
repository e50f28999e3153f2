import { describe, expect, it } from 'vitest';
import type { LabelSelector, Labels } from '../../src/cluster/model/model.js';
import { matchesLabelSelector, matchesServiceSelector } from '../../src/cluster/derive/selectors.js';

describe('matchesServiceSelector (§4.1 plain map)', () => {
  const rows: { name: string; selector: Labels | undefined; labels: Labels; want: boolean }[] = [
    { name: 'all keys equal', selector: { app: 'web', tier: 'fe' }, labels: { app: 'web', tier: 'fe', x: 'y' }, want: true },
    { name: 'one value differs', selector: { app: 'web', tier: 'fe' }, labels: { app: 'web', tier: 'be' }, want: false },
    { name: 'key missing', selector: { app: 'web', tier: 'fe' }, labels: { app: 'web' }, want: false },
    { name: 'empty value must be present and empty', selector: { canary: '' }, labels: {}, want: false },
    { name: 'empty value matches empty label', selector: { canary: '' }, labels: { canary: '' }, want: true },
    { name: 'empty selector selects nothing', selector: {}, labels: { app: 'web' }, want: false },
    { name: 'absent selector selects nothing', selector: undefined, labels: { app: 'web' }, want: false },
  ];
  it.each(rows)('$name', ({ selector, labels, want }) => {
    expect(matchesServiceSelector(selector, labels)).toBe(want);
  });
});

describe('matchesLabelSelector (§5.3)', () => {
  const sel = (matchLabels: Labels, ...matchExpressions: LabelSelector['matchExpressions']): LabelSelector => ({
    matchLabels,
    matchExpressions,
  });
  const rows: { name: string; selector: LabelSelector; labels: Labels; want: boolean }[] = [
    { name: 'empty {} matches everything', selector: sel({}), labels: { a: 'b' }, want: true },
    { name: 'empty {} matches no labels', selector: sel({}), labels: {}, want: true },
    { name: 'matchLabels equal', selector: sel({ app: 'db' }), labels: { app: 'db' }, want: true },
    { name: 'matchLabels differ', selector: sel({ app: 'db' }), labels: { app: 'web' }, want: false },
    { name: 'In: value listed', selector: sel({}, { key: 'env', operator: 'In', values: ['a', 'b'] }), labels: { env: 'b' }, want: true },
    { name: 'In: value not listed', selector: sel({}, { key: 'env', operator: 'In', values: ['a'] }), labels: { env: 'b' }, want: false },
    { name: 'In: key absent', selector: sel({}, { key: 'env', operator: 'In', values: ['a'] }), labels: {}, want: false },
    { name: 'NotIn: key absent matches', selector: sel({}, { key: 'env', operator: 'NotIn', values: ['a'] }), labels: {}, want: true },
    { name: 'NotIn: other value matches', selector: sel({}, { key: 'env', operator: 'NotIn', values: ['a'] }), labels: { env: 'b' }, want: true },
    { name: 'NotIn: listed value fails', selector: sel({}, { key: 'env', operator: 'NotIn', values: ['a'] }), labels: { env: 'a' }, want: false },
    { name: 'Exists: present', selector: sel({}, { key: 'env', operator: 'Exists', values: [] }), labels: { env: '' }, want: true },
    { name: 'Exists: absent', selector: sel({}, { key: 'env', operator: 'Exists', values: [] }), labels: {}, want: false },
    { name: 'DoesNotExist: absent', selector: sel({}, { key: 'env', operator: 'DoesNotExist', values: [] }), labels: {}, want: true },
    { name: 'DoesNotExist: present', selector: sel({}, { key: 'env', operator: 'DoesNotExist', values: [] }), labels: { env: 'x' }, want: false },
    {
      name: 'AND of labels and expressions',
      selector: sel({ app: 'db' }, { key: 'env', operator: 'In', values: ['prod'] }),
      labels: { app: 'db', env: 'dev' },
      want: false,
    },
  ];
  it.each(rows)('$name', ({ selector, labels, want }) => {
    expect(matchesLabelSelector(selector, labels)).toBe(want);
  });
});
