// Reload wiring for `serve`: the LiveCluster, --watch and SIGHUP.

import type { Logger } from '../log.js';
import type { LoadedCluster, LoadSettings } from '../pipeline/index.js';
import type { LoadResult } from '../manifests/index.js';
import { prepareRebuildSteps, Slicer } from '../cluster/index.js';
import { LiveCluster, type StandIn } from './controller.js';
import { watchPaths, type Watcher } from './watcher.js';

export { LiveCluster, type ChangeResult, type ReloadError, type StandIn } from './controller.js';
export { listRecords, type RecordListing } from './records.js';

/**
 * Edits settle for this long before a --watch reload: an editor's
 * delete-and-rename arrives within a few milliseconds. It is part of every
 * edit's time to answer (under 1 s at 150,000 pods), so no longer
 * than that. A file still being written when it runs fails to load, keeps
 * the last good state, and its last write brings another reload.
 */
const WATCH_DEBOUNCE_MS = 100;

/** After start, a --watch server readies the pods for reuse this much later (off the path to the first answer). */
const PREPARE_REBUILD_MS = 1000;

/** Where a built cluster goes into service (the DNS server answers from `cluster`). */
interface ServedCluster {
  /** The cluster answers come from right now. */
  readonly cluster: LoadedCluster;
  /** Answer from `next` from now on. */
  swap(next: LoadedCluster): void;
  /** What answers from `cluster` while a change is built (LiveClusterOptions.standIn). */
  readonly standIn?: StandIn;
}

interface LiveOptions {
  /** What a reload reads and builds with, and `watch`: reload when a manifest path changes (the Config has it all). */
  readonly config: LoadSettings & { readonly watch: boolean };
  readonly logger: Logger;
  readonly server: ServedCluster;
  readonly load: LoadResult;
  readonly reverseFallthrough: boolean;
  /** Told about every swap (metrics gauges) and file reload result. */
  readonly onSwap?: (cluster: LoadedCluster) => void;
  readonly onReload?: (ok: boolean) => void;
  /** What a reload reads (see LiveClusterOptions.loadSources). */
  readonly loadSources?: () => Promise<LoadResult>;
  /** Reload on SIGHUP (the CLI). Default true; the Node API leaves signals to its caller. */
  readonly signals?: boolean;
}

export interface Live {
  readonly cluster: LiveCluster;
  close(): void;
}

export async function startLive(options: LiveOptions): Promise<Live> {
  const { config, logger, server } = options;
  const cluster = new LiveCluster({
    config,
    logger,
    reverseFallthrough: options.reverseFallthrough,
    load: options.load,
    cluster: server.cluster,
    swap: (next) => {
      server.swap(next);
      options.onSwap?.(next);
    },
    ...(options.onReload ? { onReload: options.onReload } : {}),
    ...(options.loadSources ? { loadSources: options.loadSources } : {}),
    ...(server.standIn ? { standIn: server.standIn } : {}),
  });
  const onHangup = (): void => {
    logger.info({ signal: 'SIGHUP' }, 'received SIGHUP, reloading the manifests');
    void cluster.reload('SIGHUP');
  };
  const signals = options.signals ?? true;
  if (signals) process.on('SIGHUP', onHangup);
  let watcher: Watcher | undefined;
  let prepare: NodeJS.Timeout | undefined;
  if (config.watch) {
    // In slices, like a change: ~0.1 s of work at 150,000 pods while the server answers.
    prepare = setTimeout(() => void new Slicer().run(prepareRebuildSteps(cluster.current.memory)), PREPARE_REBUILD_MS);
    prepare.unref();
    watcher = await watchPaths({
      paths: config.manifests,
      debounceMs: WATCH_DEBOUNCE_MS,
      onChange: () => void cluster.reload('watch'),
      logger: logger.child({ module: 'watch' }),
    });
  }
  return {
    cluster,
    close() {
      if (signals) process.off('SIGHUP', onHangup);
      clearTimeout(prepare);
      watcher?.close();
      cluster.close();
    },
  };
}
