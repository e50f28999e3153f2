#!/usr/bin/env node
// Deterministic cluster generator for benchmarks.
//
//   node bench/gen-cluster.mjs --services 1000 --pods 10000 [--namespaces 20] > cluster.yaml
//
// Half the services are ClusterIP, half headless twins of them. Each app is a
// Deployment or a StatefulSet (alternating); replicas vary from 3 to 20 and are
// scaled so the total comes out at --pods. Also writes nothing else: the query
// mix is bench/gen-queries.mjs, which reads the same flags.

import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { writeLines } from './lib.mjs';

/** `wide-hl` answers 100 addresses, `solo-hl` one; both headless, in ns-000. */
export const SIZE_APPS = [
  { name: 'wide', namespace: 'ns-000', kind: 'Deployment', replicas: 100, fixed: true },
  { name: 'solo', namespace: 'ns-000', kind: 'Deployment', replicas: 1, fixed: true },
];

export function clusterShape({ services, pods, namespaces }) {
  const apps = Math.max(1, Math.floor(services / 2));
  // Replica counts cycle through 3..20 and are then scaled to hit the total.
  const raw = Array.from({ length: apps }, (_, i) => 3 + ((i * 7) % 18));
  const rawTotal = raw.reduce((a, b) => a + b, 0);
  const replicas = raw.map((r) => Math.max(1, Math.round((r * pods) / rawTotal)));
  const shape = Array.from({ length: apps }, (_, i) => ({
    name: `app-${String(i).padStart(5, '0')}`,
    namespace: `ns-${String(i % namespaces).padStart(3, '0')}`,
    kind: i % 2 === 0 ? 'Deployment' : 'StatefulSet',
    replicas: replicas[i],
  }));
  // Two fixed apps for the answer-size comparison: 100 endpoints vs one.
  return [...shape, ...SIZE_APPS];
}

/**
 * The cluster of `size` written afresh into `dir`, split into files of 5,000
 * documents the way a repository splits its manifests (the bench measures
 * loading a folder; one file of all of them is bench/gen-dump.mjs's job).
 */
export async function writeClusterFiles(dir, size) {
  const DOCS_PER_FILE = 5000;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const docs = [...clusterYaml(clusterShape(size), size.namespaces)].map((doc) => `---\n${doc.trimEnd()}`);
  for (let part = 0; part * DOCS_PER_FILE < docs.length; part++) {
    await writeLines(path.join(dir, `cluster-${part}.yaml`), docs.slice(part * DOCS_PER_FILE, (part + 1) * DOCS_PER_FILE));
  }
}

export function* clusterYaml(shape, namespaces) {
  for (let n = 0; n < namespaces; n++) {
    yield `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns-${String(n).padStart(3, '0')}\n`;
  }
  for (const app of shape) {
    const meta = `  name: ${app.name}\n  namespace: ${app.namespace}\n`;
    const template = `  selector:\n    matchLabels:\n      app: ${app.name}\n  template:\n    metadata:\n      labels:\n        app: ${app.name}\n    spec:\n      containers:\n        - name: main\n          image: example/app:1\n          ports:\n            - name: http\n              containerPort: 8080\n`;
    const extra = app.kind === 'StatefulSet' ? `  serviceName: ${app.name}-hl\n` : '';
    yield `apiVersion: apps/v1\nkind: ${app.kind}\nmetadata:\n${meta}spec:\n  replicas: ${app.replicas}\n${extra}${template}`;
    const ports = `  selector:\n    app: ${app.name}\n  ports:\n    - name: http\n      port: 80\n      targetPort: http\n`;
    yield `apiVersion: v1\nkind: Service\nmetadata:\n${meta}spec:\n${ports}`;
    yield `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${app.name}-hl\n  namespace: ${app.namespace}\nspec:\n  clusterIP: None\n${ports}`;
  }
}

export function sizeFlags(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      services: { type: 'string', default: '1000' },
      pods: { type: 'string', default: '10000' },
      namespaces: { type: 'string', default: '20' },
    },
    allowPositionals: true,
  });
  return { services: Number(values.services), pods: Number(values.pods), namespaces: Number(values.namespaces) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const size = sizeFlags(process.argv.slice(2));
  for (const doc of clusterYaml(clusterShape(size), size.namespaces)) process.stdout.write(`---\n${doc}`);
}
