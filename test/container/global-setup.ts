// Once for the container suite: find the engine, build the image from the
// repository's Dockerfile unchanged, and make sure the images the compose
// example names exist. Without an engine: one line saying so, and every test
// is skipped (never passed).
//
// Environment: DOCKER_HOST (the engine), CLUSTERDNS_TEST_IMAGE (test this
// image instead of building one), CLUSTERDNS_TEST_STANDINS=1 (do not pull the
// compose example's images from a registry: make local stand-ins at once, as
// on machines without Docker Hub).

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import type { TestProject } from 'vitest/node';
import { docker, dockerOk, exec, type Engine } from './docker.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
export const BUILT_IMAGE = 'clusterdns:container-test';

export default async function setup(project: TestProject): Promise<void> {
  const found = await findEngine();
  project.provide('containerEngine', found);
  if (!found.ok) process.stdout.write(`\ncontainer tests SKIPPED: ${found.reason}\n\n`);
}

async function findEngine(): Promise<Engine> {
  const version = await docker(['version', '--format', '{{.Server.Version}}'], 20_000);
  if (version.code !== 0) {
    const why = (version.stderr.trim().split('\n').at(-1) ?? '').slice(0, 200);
    return { ok: false, reason: `no Docker engine reachable (DOCKER_HOST=${process.env['DOCKER_HOST'] ?? 'unset'}): ${why}` };
  }
  const image = process.env['CLUSTERDNS_TEST_IMAGE'] ?? (await build());
  await composeImages(await baseImage());
  return { ok: true, image, server: version.stdout.trim() };
}

/** docker build of the repository, as a user runs it (legacy builder; --network=host reaches the registries). */
async function build(): Promise<string> {
  const started = Date.now();
  const run = await exec('docker', ['build', '--network=host', '-t', BUILT_IMAGE, ROOT], { timeoutMs: 1_200_000 });
  if (run.code !== 0) throw new Error(`docker build failed (exit ${run.code}):\n${(run.stdout + run.stderr).split('\n').slice(-30).join('\n')}`);
  process.stdout.write(`container tests: built ${BUILT_IMAGE} in ${Math.round((Date.now() - started) / 1000)} s\n`);
  return BUILT_IMAGE;
}

/** The image the Dockerfile's stages start from (present: the build just used it). */
async function baseImage(): Promise<string> {
  const dockerfile = await readFile(path.join(ROOT, 'Dockerfile'), 'utf8');
  const from = /^FROM\s+(?:--\S+\s+)*(\S+)/m.exec(dockerfile)?.[1];
  if (!from) throw new Error('no FROM in the Dockerfile');
  return from;
}

/**
 * The compose example's images that are not built (nginx, alpine): present,
 * pulled, or — without a registry — local stand-ins made from the Node base
 * image: a tiny HTTP server on port 80 for nginx, the base itself (it has sh,
 * getent and sleep) for alpine.
 */
async function composeImages(base: string): Promise<void> {
  const compose = parse(await readFile(path.join(ROOT, 'examples/compose/compose.yaml'), 'utf8')) as { services: Record<string, { image?: string; build?: unknown }> };
  const images = Object.values(compose.services).filter((s) => s.image && !s.build).map((s) => s.image!);
  for (const image of new Set(images)) {
    if ((await docker(['image', 'inspect', image])).code === 0) continue;
    if (process.env['CLUSTERDNS_TEST_STANDINS'] !== '1' && (await docker(['pull', image], 120_000)).code === 0) continue;
    if (/^(nginx|httpd)\b/.test(image)) await httpStandIn(base, image);
    else await dockerOk(['tag', base, image]);
    process.stdout.write(`container tests: ${image} is a local stand-in made from ${base}\n`);
  }
}

async function httpStandIn(base: string, image: string): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'clusterdns-standin-'));
  try {
    const server = 'process.on("SIGTERM",()=>process.exit(0));require("http").createServer((q,s)=>s.end("stand-in\\n")).listen(80)';
    await writeFile(path.join(dir, 'Dockerfile'), `FROM ${base}\nCMD ${JSON.stringify(['node', '-e', server])}\n`);
    await dockerOk(['build', '-q', '-t', image, dir], 300_000);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
