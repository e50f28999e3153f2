// Target 5: a generated cluster loads from YAML and answers; then one edited
// file under --watch is answered. Times are wall clock from spawn / write to
// the first dig answer (dig polls every 50 ms).

import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { clusterShape, clusterYaml } from './gen-cluster.mjs';
import { freePort, out, peakRssMB, rssMB, serveArgs, start, stop, waitForAnswer, writeLines } from './lib.mjs';

const DOCS_PER_FILE = 5000;

const service = (name) =>
  `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\n  namespace: ns-000\nspec:\n  ports:\n    - name: http\n      port: 80\n`;

/** `nodeFlags`: V8 flags for the server process (the Docker image sets --max-semi-space-size=4). */
export async function scaleRun(size, zone, nodeFlags = []) {
  const dir = path.join(out, `scale-${size.pods}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const shape = clusterShape(size);
  // clusterdns refuses more than 10,000 documents in one file: split like a real repository would.
  const docs = [...clusterYaml(shape, size.namespaces)].map((doc) => `---\n${doc.trimEnd()}`);
  for (let part = 0; part * DOCS_PER_FILE < docs.length; part++) {
    await writeLines(path.join(dir, `cluster-${part}.yaml`), docs.slice(part * DOCS_PER_FILE, (part + 1) * DOCS_PER_FILE));
  }
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
    return { ...size, nodeFlags: nodeFlags.join(' '), firstAnswerSeconds, rssMB: rss, settledRssMB: settledRss, peakRssMB: peakRss, rssAfterReloadMB: rssMB(server.pid), reloadSeconds };
  } finally {
    await stop(server);
  }
}
