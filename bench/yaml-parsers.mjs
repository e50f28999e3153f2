#!/usr/bin/env node
// One YAML parser or two? Decodes the same manifest texts three ways, in one
// process (no sockets), and prints the best of --runs for each:
//
// - loader: what clusterdns does (the js-yaml fast path, the `yaml` path
//   where the fast path does not apply);
// - yaml only: the `yaml` path for every text (what one parser, `yaml`, costs);
// - js-yaml only: the fast path alone, parse and decode (a floor for a
//   js-yaml-only loader, which would still have to find the lines of fields).
//
//   npm run build && node --expose-gc bench/yaml-parsers.mjs [--services 10000] [--pods 150000] [--runs 3] [--inputs folder,dump]
//
// Inputs: the folder of bench/gen-cluster.mjs (workloads, 5,000 documents a
// file) and the kubectl dump of bench/gen-dump.mjs (one List per resource,
// every Pod written out), both cached in bench/out/.

import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { writeClusterFiles } from './gen-cluster.mjs';
import { out, root } from './lib.mjs';
import { decodeSplitText, decodeText } from '../dist/manifests/yaml/stream.js';
import { decodeYamlText, TOO_MANY_DOCUMENTS } from '../dist/manifests/yaml/yaml-text.js';
import { decodeFast } from '../dist/manifests/yaml/fast-yaml.js';

const { values } = parseArgs({
  options: { services: { type: 'string', default: '10000' }, pods: { type: 'string', default: '150000' }, runs: { type: 'string', default: '3' }, inputs: { type: 'string', default: 'folder,dump' } },
});
const size = { services: Number(values.services), pods: Number(values.pods), namespaces: 20 };
const runs = Number(values.runs);

const folder = path.join(out, `parsers-${size.services}-${size.pods}`);
if (!existsSync(folder)) await writeClusterFiles(folder, size);
const inputs = new Set(values.inputs.split(','));
const dump = path.join(out, `parsers-dump-${size.services}-${size.pods}.yaml`);
if (inputs.has('dump') && !existsSync(dump)) {
  const text = execFileSync(process.execPath, [path.join(root, 'bench/gen-dump.mjs'), '--services', String(size.services), '--pods', String(size.pods)], { maxBuffer: 4 * 1024 ** 3 });
  writeFileSync(dump, text);
}

const yamlOnly = (text, file, into) => {
  if (decodeYamlText(text, file, into) === TOO_MANY_DOCUMENTS) decodeSplitText(text, file, into);
};
const jsYamlOnly = (text, file, into) => {
  const fast = decodeFast(text, file);
  if (fast === undefined) throw new Error(`${file}: not plain text; the js-yaml-only figure would be meaningless`);
  into.objects.push(...fast.objects);
};
const ways = { loader: decodeText, 'yaml only': yamlOnly, 'js-yaml only': jsYamlOnly };

/** Texts of at most 16 MiB each, as the loader reads them (a bigger file is streamed in pieces: `pieces` cuts it the same way). */
function texts(file) {
  if (file !== dump) return readdirSync(file).sort().map((name) => ({ name, text: readFileSync(path.join(file, name), 'utf8') }));
  // The loader streams a dump one List item at a time; decode it as those items, 5,000 documents a text.
  const items = [];
  let item;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.startsWith('- ')) items.push((item = [line.slice(2)]));
    else if (item && (line.startsWith('  ') || line === '')) item.push(line.slice(2));
    else item = undefined;
  }
  for (let i = 0; i < items.length; i++) items[i] = items[i].join('\n');
  const pieces = [];
  for (let i = 0; i < items.length; i += 5000) pieces.push({ name: `items ${i}`, text: items.slice(i, i + 5000).map((item) => `---\n${item}`).join('\n') });
  return pieces;
}

console.log(`${size.services} services, ${size.pods} pods; best of ${runs} runs`);
for (const [label, input] of [['folder (gen-cluster)', folder], ['kubectl dump (gen-dump)', dump]]) {
  if (!inputs.has(input === folder ? 'folder' : 'dump')) continue;
  const all = texts(input);
  const megabytes = all.reduce((sum, { text }) => sum + Buffer.byteLength(text), 0) / 1e6;
  for (const [way, decode] of Object.entries(ways)) {
    for (const { name, text } of all.slice(0, 1)) decode(text, name, { objects: [], skipped: [], problems: [] }); // warm up
    let best = Infinity;
    let objects = 0;
    for (let run = 0; run < runs; run++) {
      global.gc?.();
      const into = { objects: [], skipped: [], problems: [] };
      const started = performance.now();
      for (const { name, text } of all) decode(text, name, into);
      best = Math.min(best, performance.now() - started);
      objects = into.objects.length;
      if (into.problems.some((problem) => problem.level === 'error')) throw new Error(`${way}: ${into.problems[0].message}`);
    }
    console.log(`${label.padEnd(26)} ${megabytes.toFixed(1).padStart(6)} MB  ${way.padEnd(13)} ${String(Math.round(best)).padStart(7)} ms  ${objects} objects`);
  }
}
