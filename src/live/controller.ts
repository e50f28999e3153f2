// The live cluster: file reloads and control-API changes, each built off to
// the side and swapped in whole. One operation at a time (a queue), so an API
// change can never be lost to a file reload that started before it.

import type { Logger } from '../log.js';
import { buildSteps, capacityOfSteps, logProblems, serialFor, type LoadedCluster, type LoadSettings } from '../pipeline/index.js';
import { errorsOf, formatProblem, MANIFEST_KINDS, type ManifestKind, type ManifestObject, objectKey, type Problem, Slicer, type SlicerOptions } from '../cluster/index.js';
import { loadManifests, type LoadResult, parseManifestText } from '../manifests/index.js';
import { diffRecords, summarizeDiff, type RecordDiff } from './diff.js';
import {
  EMPTY_OVERLAY,
  SCALABLE_KINDS,
  applyPodReadiness,
  overlayObjectSteps,
  withDeletion,
  withPodReady,
  withReplicas,
  withUpserts,
  type Overlay,
  type ScalableKind,
} from './overlay.js';

/** What one change did. `not-found` and `invalid` change nothing. */
export type ChangeResult =
  | { readonly kind: 'changed'; readonly diff: RecordDiff; readonly serial: number }
  | { readonly kind: 'invalid'; readonly problems: readonly string[] }
  | { readonly kind: 'not-found'; readonly what: string };

export interface ReloadError {
  /** ISO time of the failed reload. */
  readonly at: string;
  readonly problems: readonly string[];
}

interface LiveClusterOptions {
  /** What a reload reads and builds with (the Config has it all). */
  readonly config: LoadSettings;
  readonly logger: Logger;
  readonly reverseFallthrough: boolean;
  /** The startup load (ok) and what was built from it. */
  readonly load: LoadResult;
  readonly cluster: LoadedCluster;
  /** Puts a newly built cluster into service. */
  readonly swap: (cluster: LoadedCluster) => void;
  /** Told after every file reload (metrics). */
  readonly onReload?: (ok: boolean) => void;
  /**
   * What a reload reads. Default: every `config.manifests` path. The Node API
   * passes its own, which also re-decodes the YAML text and objects it was given.
   */
  readonly loadSources?: () => Promise<LoadResult>;
  /**
   * How a change's build is sliced so the old state keeps answering:
   * default 3 ms slices, pausing on setImmediate (after pending I/O).
   * Tests hold a build at a pause here.
   */
  readonly slices?: SlicerOptions;
  /**
   * While a change is read and built, something else that answers from the
   * current state (the DNS server's stand-in: DnsServer.standIn); stopped
   * before the next state goes into service, and whenever a change ends.
   */
  readonly standIn?: StandIn;
}

/**
 * What answers from the current state while a change is built (the DNS
 * server's stand-in). `prepare(next)`, called before the swap while it
 * still answers, readies what it answers from `next`; handOver() puts that
 * in service right after the swap, so the questions it was answering never
 * wait (false: it stopped instead).
 */
export interface StandIn {
  start(): boolean;
  prepare(next: LoadedCluster): object | undefined;
  handOver(prepared: object | undefined): boolean;
  stop(): void;
}

/** How long the stand-in answers on after a change ends (LiveCluster.standDownLater). */
const STAND_IN_LINGER_MS = 2000;

export class LiveCluster {
  private files: readonly ManifestObject[];
  private newestMtime: number;
  private overlay: Overlay = EMPTY_OVERLAY;
  private objects: readonly ManifestObject[];
  private queue: Promise<unknown> = Promise.resolve();
  /** A file reload queued and not started yet: later requests join it (at most one running, one pending). */
  private pendingReload: Promise<ChangeResult> | undefined;
  private readonly log: Logger;
  /** Whether the stand-in answers for us now, and the timer that stops it after a change. */
  private standing = false;
  private lingering: NodeJS.Timeout | undefined;
  current: LoadedCluster;
  /** The last file reload's problems while it stays broken; cleared by a good reload. */
  lastError: ReloadError | undefined;

  constructor(private readonly options: LiveClusterOptions) {
    this.files = options.load.objects;
    this.objects = options.load.objects;
    this.current = options.cluster;
    this.newestMtime = options.cluster.index.serial;
    this.log = options.logger.child({ module: 'live' });
  }

  /**
   * Re-read every -f path; on errors keep serving what we have. Requests
   * coalesce: while a reload waits its turn, another request joins it (it
   * reads the files when it starts, so it sees every edit made before), so a
   * burst of SIGHUPs or watch events costs at most the reload running and
   * one more.
   */
  reload(reason: string): Promise<ChangeResult> {
    if (this.pendingReload) return this.pendingReload;
    const run = this.enqueue(async () => {
      this.pendingReload = undefined;
      if (this.options.config.manifests.includes('-')) {
        this.log.warn({ reason }, 'not reloading: stdin (-f -) was read once at startup and cannot be read again');
        return { kind: 'invalid', problems: ['manifests read from stdin cannot be reloaded'] };
      }
      const load = await (this.options.loadSources?.() ?? loadManifests(this.options.config.manifests, { maxBytes: this.options.config.maxManifestBytes }));
      logProblems(this.options.logger, load.problems);
      if (!load.ok) {
        const problems = errorsOf(load.problems).map(formatProblem);
        this.lastError = { at: new Date().toISOString(), problems };
        this.log.error({ reason, errors: problems.length }, `reload failed: keeping the last good state (${problems.length} error(s) listed above)`);
        this.options.onReload?.(false);
        return { kind: 'invalid', problems };
      }
      const [mtime, kept] = [await serialFor(load.files), this.newestMtime];
      this.newestMtime = mtime;
      const result = await this.commit(this.overlay, `reload (${reason})`, load.objects, 'error');
      if (result.kind === 'invalid') {
        this.newestMtime = kept;
        this.lastError = { at: new Date().toISOString(), problems: result.problems };
        this.options.onReload?.(false);
        return result;
      }
      this.lastError = undefined;
      this.options.onReload?.(true);
      return result;
    });
    this.pendingReload = run;
    return run;
  }

  /** Create or replace the objects of a YAML/JSON body. */
  apply(text: string): Promise<ChangeResult> {
    return this.enqueue(async () => {
      const load = parseManifestText(text, '<api>');
      if (!load.ok) return { kind: 'invalid', problems: errorsOf(load.problems).map(formatProblem) };
      if (load.objects.length === 0) return { kind: 'invalid', problems: ['the body holds no object clusterdns uses'] };
      return this.commit(withUpserts(this.overlay, load.objects), `apply ${load.objects.map(objectKey).join(' ')}`);
    });
  }

  delete(kind: string, namespace: string, name: string): Promise<ChangeResult> {
    return this.enqueue(async () => {
      const key = this.findKey(kind, namespace, name);
      if (key === undefined) return { kind: 'not-found', what: `${kind}/${namespace}/${name}` };
      return this.commit(withDeletion(this.overlay, key), `delete ${key}`);
    });
  }

  scale(kind: string, namespace: string, name: string, replicas: unknown): Promise<ChangeResult> {
    return this.enqueue(async () => {
      const problems: string[] = [];
      const scalable = SCALABLE_KINDS.find((k) => k.toLowerCase() === kind.toLowerCase());
      if (!scalable) problems.push(`kind must be one of ${SCALABLE_KINDS.join(', ')}, got ${JSON.stringify(kind)}`);
      if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0 || replicas > 10000) {
        problems.push(`replicas must be an integer from 0 to 10000, got ${JSON.stringify(replicas)}`);
      }
      if (problems.length > 0) return { kind: 'invalid', problems };
      const key = this.findKey(scalable as ScalableKind, namespace, name);
      if (key === undefined) return { kind: 'not-found', what: `${scalable}/${namespace}/${name}` };
      return this.commit(withReplicas(this.overlay, key, replicas as number), `scale ${key} to ${String(replicas)}`);
    });
  }

  setPodReady(namespace: string, name: string, ready: boolean): Promise<ChangeResult> {
    return this.enqueue(async () => {
      const exists = this.current.state.pods.some((pod) => pod.namespace === namespace && pod.name === name);
      if (!exists) return { kind: 'not-found', what: `Pod/${namespace}/${name}` };
      return this.commit(withPodReady(this.overlay, `${namespace}/${name}`, ready), `pod ${namespace}/${name} ready=${ready}`);
    });
  }

  /** Stop the stand-in now rather than after its linger (the server is stopping). */
  close(): void {
    this.standDown();
  }

  /** Drop every API change: back to what the files say. */
  reset(): Promise<ChangeResult> {
    return this.enqueue(async () => this.commit(EMPTY_OVERLAY, 'reset'));
  }

  /** The objects the current state was built from (files + API changes). */
  currentObjects(): readonly ManifestObject[] {
    return this.objects;
  }

  /**
   * Build from `files` + `overlay`, swap it in, and log what changed; or,
   * when it would not fit (the pod cap, a CIDR that would run out), refuse
   * it before building and change nothing.
   */
  private async commit(overlay: Overlay, what: string, files = this.files, refusal: 'warn' | 'error' = 'warn'): Promise<ChangeResult> {
    // Built in slices, pausing every few milliseconds so the sockets are
    // served in between: the old state answers until the new one
    // is complete, then one reference swap puts it in service.
    const slicer = new Slicer(this.options.slices);
    const started = performance.now();
    const objects = await slicer.run(overlayObjectSteps(files, overlay));
    const tooBig = await slicer.run(capacityOfSteps(this.options.config, objects, this.objects));
    if (tooBig.length > 0) {
      this.log[refusal]({ problems: tooBig }, `${what} refused, keeping the last good state: ${tooBig.join('; ')}`);
      return { kind: 'invalid', problems: tooBig };
    }
    const serial = Math.max(this.current.index.serial + 1, this.newestMtime);
    const next = await slicer.run(
      buildSteps(this.options.config, objects, {
        serial,
        reverseFallthrough: this.options.reverseFallthrough,
        adjust: (state) => applyPodReadiness(state, overlay.podReady),
        previous: this.current,
      }),
    );
    // Answer from the new state first; the diff is only told afterwards.
    const previous = this.current;
    const handover = this.standing ? this.options.standIn?.prepare(next) : undefined;
    this.files = files;
    this.overlay = overlay;
    this.objects = objects;
    this.current = next;
    this.options.swap(next);
    // In the same turn: the stand-in answers from the new state from here on,
    // through the summary below, which is work on this thread too.
    if (this.standing) this.standing = this.options.standIn?.handOver(handover) ?? false;
    const builtMs = Math.round(performance.now() - started);
    // Queries already waiting on the sockets are answered before the diff
    // starts; changesSince pauses between slices too (it takes about 0.3 s
    // at 150,000 pods).
    await new Promise((resolve) => setImmediate(resolve));
    const diff = (await next.index.changesSince?.(previous.index, slicer)) ?? diffRecords(previous.index.records(), next.index.records());
    this.warnNew(previous.state.warnings, next.state.warnings);
    const timing = { builtMs, diffMs: Math.round(performance.now() - started) - builtMs, pauses: slicer.pauses };
    this.log.info({ serial, added: diff.added.length, removed: diff.removed.length, changed: diff.changed.length, ...timing }, `${what}: ${summarizeDiff(diff)}`);
    return { kind: 'changed', diff, serial };
  }

  private warnNew(previous: readonly Problem[], warnings: readonly Problem[]): void {
    const before = new Set(previous.map(formatProblem));
    logProblems(this.options.logger, warnings.filter((warning) => !before.has(formatProblem(warning))));
  }

  private findKey(kind: string, namespace: string, name: string): string | undefined {
    const canonical = canonicalKind(kind);
    if (canonical === undefined) return undefined;
    const key = `${canonical}/${namespace}/${name}`;
    return this.objects.some((object) => objectKey(object) === key) ? key : undefined;
  }

  /** The stand-in answers from the current state while a change is built (LiveClusterOptions.standIn). */
  private standIn(): void {
    clearTimeout(this.lingering);
    this.lingering = undefined;
    if (!this.standing) this.standing = this.options.standIn?.start() ?? false;
  }

  /**
   * The stand-in stays a while after a change: the collector's work on what
   * the change left (a full collection's last pause can take 10-30 ms at
   * 150,000 pods) comes in that time, and it answers from the state in
   * service meanwhile.
   */
  private standDownLater(): void {
    clearTimeout(this.lingering);
    this.lingering = setTimeout(() => this.standDown(), STAND_IN_LINGER_MS);
    this.lingering.unref();
  }

  private standDown(): void {
    clearTimeout(this.lingering);
    this.lingering = undefined;
    if (!this.standing) return;
    this.standing = false;
    this.options.standIn?.stop();
  }

  private enqueue(operation: () => Promise<ChangeResult>): Promise<ChangeResult> {
    // The stand-in answers from the start of every change (an apply's parse,
    // a reload's reading); whatever way the change ends (refused, invalid,
    // thrown), it stops a while later.
    const guarded = (): Promise<ChangeResult> => {
      this.standIn();
      return operation().finally(() => this.standDownLater());
    };
    const run = this.queue.then(guarded, guarded);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

/** `Service`, `service`, `services`: the kind as the model spells it. */
function canonicalKind(kind: string): ManifestKind | undefined {
  const lower = kind.toLowerCase();
  return MANIFEST_KINDS.find((k) => {
    const name = k.toLowerCase();
    return lower === name || lower === `${name}s` || (name.endsWith('s') && lower === `${name}es`);
  });
}
