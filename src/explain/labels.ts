// Selector and label helpers for explanations: which pods a selector
// matches, and which pods come nearest when it matches none.

import { type ClusterState, type Labels, matchesServiceSelector, type Pod } from '../cluster/index.js';

export function formatLabels(labels: Labels | undefined): string {
  const pairs = Object.entries(labels ?? {}).map(([key, value]) => `${key}=${value}`);
  return pairs.length === 0 ? '(none)' : pairs.join(',');
}

export function podsIn(state: ClusterState, namespace: string): Pod[] {
  return state.pods.filter((pod) => pod.namespace === namespace);
}

export function selectedPods(state: ClusterState, namespace: string, selector: Labels | undefined): Pod[] {
  return podsIn(state, namespace).filter((pod) => matchesServiceSelector(selector, pod.labels));
}

/** Pairs of `selector` the labels satisfy. */
function score(selector: Labels, labels: Labels): number {
  return Object.entries(selector).filter(([key, value]) => labels[key] === value).length;
}

/** Up to `limit` pods, those matching most selector pairs first, then by name. */
export function nearestPods(pods: readonly Pod[], selector: Labels, limit = 3): Pod[] {
  return [...pods]
    .map((pod) => ({ pod, score: score(selector, pod.labels) }))
    .sort((a, b) => b.score - a.score || a.pod.name.localeCompare(b.pod.name))
    .slice(0, limit)
    .map((entry) => entry.pod);
}

/** `pod NAME: labels` lines. */
export function describePods(pods: readonly Pod[]): string[] {
  return pods.map((pod) => `pod ${pod.name}: ${formatLabels(pod.labels)}`);
}
