// Kinds clusterdns does not model are skipped, but a few mistakes in them are
// worth a warning (`validate --strict` fails on it): a kind one typo away from
// a modelled one (`Servcie`, `Deploymnet`), and a well-known built-in kind
// under an apiVersion that does not serve it (`extensions/v1beta1` Ingress,
// removed in Kubernetes 1.22). Custom resources are never questioned.

import { MANIFEST_KINDS } from '../../cluster/index.js';
import type { Field } from './reader.js';

/** apiVersions that serve common built-in kinds clusterdns skips (Kubernetes 1.25+). */
const BUILT_IN_VERSIONS: Readonly<Record<string, readonly string[]>> = {
  ConfigMap: ['v1'],
  Secret: ['v1'],
  ServiceAccount: ['v1'],
  PersistentVolume: ['v1'],
  PersistentVolumeClaim: ['v1'],
  Node: ['v1'],
  LimitRange: ['v1'],
  ResourceQuota: ['v1'],
  PodTemplate: ['v1'],
  Event: ['v1', 'events.k8s.io/v1'],
  Ingress: ['networking.k8s.io/v1'],
  IngressClass: ['networking.k8s.io/v1'],
  NetworkPolicy: ['networking.k8s.io/v1'],
  CronJob: ['batch/v1'],
  HorizontalPodAutoscaler: ['autoscaling/v1', 'autoscaling/v2'],
  PodDisruptionBudget: ['policy/v1'],
  Role: ['rbac.authorization.k8s.io/v1'],
  RoleBinding: ['rbac.authorization.k8s.io/v1'],
  ClusterRole: ['rbac.authorization.k8s.io/v1'],
  ClusterRoleBinding: ['rbac.authorization.k8s.io/v1'],
  StorageClass: ['storage.k8s.io/v1'],
  CustomResourceDefinition: ['apiextensions.k8s.io/v1'],
  ControllerRevision: ['apps/v1'],
  PriorityClass: ['scheduling.k8s.io/v1'],
  MutatingWebhookConfiguration: ['admissionregistration.k8s.io/v1'],
  ValidatingWebhookConfiguration: ['admissionregistration.k8s.io/v1'],
};

/**
 * Warnings for a kind clusterdns skips: a likely typo of a modelled kind, or
 * a built-in kind under an apiVersion that does not serve it.
 */
export function checkSkippedKind(root: Field, kind: string, apiVersion: string): void {
  const near = nearModelledKind(kind);
  if (near !== undefined) {
    root.get('kind').warn(`kind "${kind}" is not one clusterdns models, so this object is skipped; did you mean "${near}"?`);
    return;
  }
  const served = BUILT_IN_VERSIONS[kind];
  if (served !== undefined && !served.includes(apiVersion)) {
    const list = served.map((version) => `"${version}"`).join(' or ');
    root
      .get('apiVersion')
      .warn(`kind ${kind} is served as apiVersion ${list}, got "${apiVersion}" (no matches for kind "${kind}" in version "${apiVersion}"; the API server would refuse it)`);
  }
}

/**
 * The modelled kind `kind` is probably a typo of: equal ignoring case, or
 * within one edit (two for kinds of 8+ letters; a swap of neighbours is one
 * edit). Kinds of 4 letters or fewer match only ignoring case: `Node` is not a typo of `Pod`.
 */
export function nearModelledKind(kind: string): string | undefined {
  if (BUILT_IN_VERSIONS[kind] !== undefined) return undefined;
  const lower = kind.toLowerCase();
  for (const modelled of MANIFEST_KINDS) {
    const target = modelled.toLowerCase();
    if (lower === target) return modelled;
    const allowed = target.length <= 4 ? 0 : target.length >= 8 ? 2 : 1;
    if (allowed > 0 && Math.abs(lower.length - target.length) <= allowed && editDistance(lower, target) <= allowed) return modelled;
  }
  return undefined;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours. */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row: number[] = [i];
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const above = rows[i - 1] as number[];
      let best = Math.min((above[j] as number) + 1, (row[j - 1] as number) + 1, (above[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, (rows[i - 2] as number[])[j - 2]! + 1);
      row.push(best);
    }
    rows.push(row);
  }
  return (rows[a.length] as number[])[b.length] as number;
}
