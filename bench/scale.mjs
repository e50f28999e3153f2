// Target 5: a generated cluster loads from YAML and answers; then one edited
// file under --watch is answered: a Service file, then a file with a new
// Deployment (3 replicas) and the headless Service selecting it, which makes
// new pods. Times are wall clock from spawn / write to the first dig answer
// (dig polls every 50 ms).

import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { clusterShape, writeClusterFiles } from './gen-cluster.mjs';
import { freePort, out, peakRssMB, rssMB, serveArgs, start, stop, waitForAnswer } from './lib.mjs';


const service = (name) =>
  `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\n  namespace: ns-000\nspec:\n  ports:\n    - name: http\n      port: 80\n`;

const WORKLOAD_REPLICAS = 3;

/** A new Deployment and the headless Service that answers with its pods. */
const workload = (name) =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ${name}, namespace: ns-000}\nspec:\n  replicas: ${WORKLOAD_REPLICAS}\n` +
  `  selector: {matchLabels: {app: ${name}}}\n  template:\n    metadata: {labels: {app: ${name}}}\n` +
  `    spec: {containers: [{name: main, image: example/app:1, ports: [{name: http, containerPort: 8080}]}]}\n---\n` +
  `apiVersion: v1\nkind: Service\nmetadata: {name: ${name}-hl, namespace: ns-000}\n` +
  `spec: {clusterIP: None, selector: {app: ${name}}, ports: [{name: http, port: 80, targetPort: 8080}]}\n`;

/** `nodeFlags`: V8 flags for the server process (run.mjs compares a user-sized young generation, --max-semi-space-size=4, with serve's own 1 MiB). */
export async function scaleRun(size, zone, nodeFlags = []) {
  const dir = path.join(out, `scale-${size.pods}`);
  await writeClusterFiles(dir, size);
  const shape = clusterShape(size);
  const editFile = path.join(dir, 'edit.yaml');
  writeFileSync(editFile, service('edited-0'));
  const port = await freePort();
  const podCidr = size.pods > 60000 ? '10.128.0.0/9' : '10.244.0.0/16';
  const started = Date.now();
  const [node, ...rest] = serveArgs(dir, port, ['--watch', '--pod-cidr', podCidr]);
  const server = start(1, [node, ...nodeFlags, ...rest]);
  try {
    await waitForAnswer(port, `${shape[0].name}.${shape[0].namespace}.svc.${zone}`, 300, server);
    const firstAnswerSeconds = (Date.now() - started) / 1000;
    const rss = rssMB(server.pid);
    await new Promise((r) => setTimeout(r, 1500)); // let the watcher settle (and V8 give back the load's garbage)
    const settledRss = rssMB(server.pid);
    const peakRss = peakRssMB(server.pid);
    const written = Date.now();
    writeFileSync(editFile, service('edited-1'));
    await waitForAnswer(port, `edited-1.ns-000.svc.${zone}`, 300, server);
    const reloadSeconds = (Date.now() - written) / 1000;
    await new Promise((r) => setTimeout(r, 1500)); // the reload's diff runs after the swap: let it finish
    const workloadWritten = Date.now();
    writeFileSync(path.join(dir, 'workload.yaml'), workload('added'));
    await waitForAnswer(port, `added-hl.ns-000.svc.${zone}`, 300, server, WORKLOAD_REPLICAS);
    const workloadReloadSeconds = (Date.now() - workloadWritten) / 1000;
    return {
      ...size,
      nodeFlags: nodeFlags.join(' '),
      firstAnswerSeconds,
      rssMB: rss,
      settledRssMB: settledRss,
      peakRssMB: peakRss,
      rssAfterReloadMB: rssMB(server.pid),
      reloadSeconds,
      workloadReloadSeconds,
    };
  } finally {
    await stop(server);
  }
}
