// The last build's settled pods, kept so the next build redoes only the pods
// of what changed (an edit answered within 1 s at 150,000 pods).
//
// The loader hands back the very same objects for files whose bytes did not
// change, so identity tells what changed. Pod names are unique per
// namespace and generated per namespace (NameRegistry), so a namespace
// whose Pod and workload objects are all the same ones keeps its pods as
// they are. In a namespace that changed, every workload is run again for its
// names (an earlier one may now take a later one's name); a workload that is
// the same object and comes out with the same names keeps its pod objects.
// Addresses are then placed only for new pods (resettle.ts); every pod of
// the last build keeps its address. Whenever it could not, the caller places
// every pod again, keeping the last build's addresses: the result is always
// exactly that (test/cluster/settled-reuse.test.ts).

import { type FamilyPool, type SettledPods, settlePods, type TakenAddresses } from '../addresses/index.js';
import { compareKeys, entryFromPodObject, ipAt, ipCount, type IPFamily, ipFromValue, type Keyed, type PodEntry, type PodObject, type Problem, settleIPs, sortKeyOf, type WorkloadObject } from '../model/index.js';
import { NameRegistry, synthesizePods } from '../derive/index.js';
import { resettleFamily, type FamilyPlacement } from './resettle.js';
import { concatSteps, ITEMS_PER_STEP, runNow, type Steps } from '../slicer.js';

/** Pods made between two pause checks (each is a name, a few objects). */
const PODS_PER_STEP = 4 * ITEMS_PER_STEP;

/** What pods are made of: Pod objects and workloads, in input order. */
interface PodInputs {
  readonly pods: readonly PodObject[];
  readonly workloads: readonly WorkloadObject[];
}

/** One namespace's share of a build's pods. */
interface NamespacePods extends PodInputs {
  /** Sorted by name, settled (each is its own Pod: SettledPod). */
  readonly entries: readonly PodEntry[];
  /** What synthesis warned about, in workload order. */
  readonly warnings: readonly Problem[];
  readonly declared: ReadonlyMap<PodObject, PodEntry>;
  readonly generated: ReadonlyMap<WorkloadObject, readonly PodEntry[]>;
}

/** A build's settled pods and what the next build needs to reuse them. */
export interface PodCache {
  readonly pods: SettledPods;
  /** Namespaces whose pods may differ from the last build's (other namespaces have the very same pod objects); `undefined`: all. */
  readonly changed: ReadonlySet<string> | undefined;
  readonly nodeCount: number;
  readonly cidrs: string;
  /** Per pod family: the addresses taken in its CIDR before any pod was placed. */
  readonly explicit: readonly ReadonlySet<bigint>[];
  /** Explicit addresses and placed pods, in the pod CIDRs; the next build changes it in place. */
  readonly occupied: TakenAddresses;
  /** Per namespace (made on first use: a first load never needs it); `undefined` when two pods share a name. */
  namespaces(): ReadonlyMap<string, NamespacePods> | undefined;
  /** namespaces() in steps (readied ahead of the first rebuild through a Slicer, while the server answers). */
  namespaceSteps(): Steps<ReadonlyMap<string, NamespacePods> | undefined>;
  /** The state's pods, in name order: `pods.entries` themselves, or those of every namespace. */
  podList(): readonly PodEntry[];
  /** The entries of one namespace, sorted by name. */
  entriesOf(namespace: string): readonly PodEntry[];
}

/**
 * Every pod placed anew, those named in `keep` (the last build's entries,
 * sorted) at the addresses they had. `occupied` is the pool's taken set,
 * `explicit` what it held before.
 */
export function settleAllPods(
  inputs: PodInputs,
  pool: FamilyPool,
  nodeCount: number,
  occupied: TakenAddresses,
  explicit: readonly ReadonlySet<bigint>[],
  keep?: readonly PodEntry[],
): PodCache | SettledPods {
  // Declared pods keep their names; workloads (in a fixed order) generate around them.
  const names = new NameRegistry();
  const declared = inputs.pods.map(entryFromPodObject);
  for (const entry of declared) names.add(entry.pod.namespace, entry.pod.name);
  const workloads = sortWorkloads(inputs.workloads);
  const synthesized = synthesizePods(workloads, names, nodeCount);
  const settled = settlePods(declared.concat(synthesized.pods), pool, occupied, keep);
  const pods = { entries: settled.entries, warnings: synthesized.warnings.concat(settled.warnings) };
  // A full CIDR (warned) leaves pods without an address: nothing to keep.
  // Equal workload keys sort in no defined order: nothing to compare with.
  if (settled.warnings.length > 0 || hasEqualNeighbours(workloads)) return pods;
  let shares: Map<string, NamespacePods> | undefined | null = null;
  function* namespaceSteps(): Steps<Map<string, NamespacePods> | undefined> {
    if (shares !== null) return shares;
    const made = yield* sharesOf(inputs, declared, workloads, synthesized);
    // A rebuild may have made them meanwhile (runNow while these steps paused): the first made stays.
    if (shares === null) shares = made;
    return shares;
  }
  const namespaces = () => runNow(namespaceSteps());
  return {
    pods,
    changed: undefined,
    nodeCount,
    cidrs: cidrText(pool),
    explicit,
    occupied,
    namespaces,
    namespaceSteps,
    podList: () => pods.entries,
    entriesOf: (namespace) => namespaces()?.get(namespace)?.entries ?? entriesIn(pods.entries, namespace),
  };

  function* sharesOf(
    { pods: objects, workloads: unsorted }: PodInputs,
    entries: readonly PodEntry[],
    sorted: readonly WorkloadObject[],
    made: { pods: readonly PodEntry[]; warnings: readonly Problem[]; podEnds: readonly number[]; warningEnds: readonly number[] },
  ): Steps<Map<string, NamespacePods> | undefined> {
    const byNamespace = new Map<string, { -readonly [K in keyof NamespacePods]: NamespacePods[K] } & { warnings: Problem[] }>();
    const share = (namespace: string) => {
      let found = byNamespace.get(namespace);
      if (!found) {
        found = { pods: [], workloads: [], entries: [], warnings: [], declared: new Map(), generated: new Map() };
        byNamespace.set(namespace, found);
      }
      return found;
    };
    for (let i = 0; i < objects.length; i++) {
      if (i % ITEMS_PER_STEP === 0) yield;
      const own = share(objects[i]!.meta.namespace);
      (own.pods as PodObject[]).push(objects[i]!);
      (own.declared as Map<PodObject, PodEntry>).set(objects[i]!, entries[i]!);
    }
    for (const workload of unsorted) (share(workload.meta.namespace).workloads as WorkloadObject[]).push(workload);
    for (let i = 0; i < sorted.length; i++) {
      if (i % ITEMS_PER_STEP === 0) yield;
      const own = share(sorted[i]!.meta.namespace);
      (own.generated as Map<WorkloadObject, readonly PodEntry[]>).set(sorted[i]!, made.pods.slice(i === 0 ? 0 : made.podEnds[i - 1], made.podEnds[i]));
      for (let w = i === 0 ? 0 : made.warningEnds[i - 1]!; w < made.warningEnds[i]!; w++) own.warnings.push(made.warnings[w]!);
    }
    const all = pods.entries;
    for (let start = 0, i = 1; start < all.length; i++) {
      if (i % PODS_PER_STEP === 0) yield;
      if (i < all.length && all[i]!.pod.namespace === all[start]!.pod.namespace) continue;
      const own = share(all[start]!.pod.namespace);
      own.entries = all.slice(start, i);
      start = i;
    }
    for (const own of byNamespace.values()) {
      yield;
      if (hasEqualNames(own.entries)) return undefined;
    }
    return byNamespace;
  }
}

/**
 * The pods for `inputs` from the last build's `cache`, placing only new
 * ones; `undefined` when that cannot be done (then every pod is placed
 * again, keeping the last build's addresses). On success `cache.occupied` is
 * this build's: the caller must not use `cache` again.
 */
export function resettlePods(
  cache: PodCache,
  inputs: PodInputs,
  pool: FamilyPool,
  nodeCount: number,
  explicit: readonly ReadonlySet<bigint>[],
): PodCache | undefined {
  return runNow(resettlePodSteps(cache, inputs, pool, nodeCount, explicit));
}

/** resettlePods in steps (a reload runs them through a Slicer): a changed namespace holds thousands of pods. */
export function* resettlePodSteps(
  cache: PodCache,
  inputs: PodInputs,
  pool: FamilyPool,
  nodeCount: number,
  explicit: readonly ReadonlySet<bigint>[],
): Steps<PodCache | undefined> {
  if (cache.nodeCount !== nodeCount || cache.cidrs !== cidrText(pool)) return undefined;
  const old = cache.namespaces();
  if (!old) return undefined;
  yield;
  const now = groupByNamespace(inputs);
  yield;
  const namespaces = [...new Set([...old.keys(), ...now.keys()])].sort();
  const changed = new Set(
    namespaces.filter((namespace) => {
      const [was, is] = [old.get(namespace), now.get(namespace)];
      return !was || !is || !sameItems(was.pods, is.pods) || !sameItems(was.workloads, is.workloads);
    }),
  );
  const sameExplicit = explicit.every((set, i) => set.size === cache.explicit[i]!.size && [...set].every((v) => cache.explicit[i]!.has(v)));
  if (changed.size === 0 && sameExplicit) return { ...cache, changed };
  yield;
  return yield* tryResettle({ cache, pool, nodeCount, explicit, old, now, namespaces, changed });
}

interface Try {
  readonly cache: PodCache;
  readonly pool: FamilyPool;
  readonly nodeCount: number;
  readonly explicit: readonly ReadonlySet<bigint>[];
  readonly old: ReadonlyMap<string, NamespacePods>;
  readonly now: ReadonlyMap<string, PodInputs>;
  /** Every namespace, sorted. */
  readonly namespaces: readonly string[];
  /** Namespaces whose pods are made again. */
  readonly changed: ReadonlySet<string>;
}

/** This build's cache, or `undefined` to place every pod again. */
function* tryResettle(attempt: Try): Steps<PodCache | undefined> {
  const { cache, pool, old, now, changed } = attempt;
  const shares = new Map(old);
  const freed: string[][] = pool.families.map(() => []);
  const fresh: PodEntry[] = [];
  for (const namespace of attempt.namespaces) {
    if (!changed.has(namespace)) continue;
    const is = now.get(namespace);
    const share = is ? yield* namespaceShare(is, old.get(namespace), attempt.nodeCount) : undefined;
    if (share === null) return undefined;
    if (share) shares.set(namespace, share);
    else shares.delete(namespace);
    yield;
    if (!match(old.get(namespace)?.entries ?? [], share?.entries ?? [], freed, fresh)) return undefined;
    yield;
  }
  // The namespaces' lists in one, copied in steps; it is also the state's pod list (podList).
  const present = attempt.namespaces.flatMap((namespace) => shares.get(namespace) ?? []);
  const entries = yield* concatSteps(present.map((share) => share.entries));
  const warnings = ([] as Problem[]).concat(...present.map((share) => share.warnings));
  yield;

  // Placing most pods anew costs more here (through the journal, with
  // BigInt addresses) than the tuned loop of a full placement.
  if (fresh.length > 1000 && fresh.length * 4 > entries.length) return undefined;
  const freshSet = new Set(fresh);
  const placements: FamilyPlacement[] = [];
  for (const [index, family] of pool.families.entries()) {
    const result = resettleFamily({
      family,
      cidr: pool.allocator(family)!.cidr,
      occupied: cache.occupied,
      explicitBefore: cache.explicit[index]!,
      explicitNow: attempt.explicit[index]!,
      freed: freed[index]!,
      fresh: fresh.map((entry) => entry.pod),
      keptAt: keptLookup(entries, freshSet, family, index),
    });
    if (result.kind !== 'placed') return undefined;
    placements.push(result);
    yield;
  }
  fresh.forEach((entry, i) => {
    // Made like settlePods makes them (same array kind, packed by settleIPs), so code reading pods stays monomorphic.
    const ips = new Array<string>(placements.length);
    placements.forEach((placement, family) => (ips[family] = placement.placed[i]!.text));
    settleIPs(entry, ips, ips.length === 0 ? 0 : sortKeyOf(ips[0]!));
  });
  return {
    pods: { entries, warnings },
    changed,
    nodeCount: attempt.nodeCount,
    cidrs: cache.cidrs,
    explicit: attempt.explicit,
    occupied: cache.occupied,
    namespaces: () => shares,
    namespaceSteps: function* () {
      return shares;
    },
    podList: () => entries,
    entriesOf: (namespace) => shares.get(namespace)?.entries ?? [],
  };
}

/**
 * Pairs the last build's pods of a namespace with this build's by name
 * (both sorted). A pod that is the same object, or synthesized again under
 * the same name, keeps its address; a pod with written IPs takes them; the
 * rest are `fresh`. Addresses of old pods not kept are `freed`. `false` when a name repeats (then order decides).
 */
function match(was: readonly PodEntry[], is: readonly PodEntry[], freed: string[][], fresh: PodEntry[]): boolean {
  if (hasEqualNames(is)) return false;
  const free = (entry: PodEntry) => {
    if (entry.origin.givenIPs) return;
    const { ips } = entry.pod;
    for (let family = 0; family < ipCount(ips); family++) freed[family]!.push(ipAt(ips, family)!);
  };
  const place = (entry: PodEntry) => {
    const given = entry.origin.givenIPs;
    if (!given) fresh.push(entry);
    else settleIPs(entry, given.map((ip) => ip.text), given.length === 0 ? 0 : sortKeyOf(given[0]!));
  };
  let i = 0;
  let j = 0;
  while (i < was.length || j < is.length) {
    const a = was[i];
    const b = is[j];
    const order = a === undefined ? 1 : b === undefined ? -1 : compareKeys(a.pod, b.pod);
    if (order < 0) {
      free(a!);
      i++;
    } else if (order > 0) {
      place(b!);
      j++;
    } else {
      if (a !== b) {
        if (!a!.origin.givenIPs && !b!.origin.givenIPs) settleIPs(b!, a!.pod.ips, a!.firstKey);
        else {
          free(a!);
          place(b!);
        }
      }
      i++;
      j++;
    }
  }
  return true;
}

/**
 * A changed namespace's pods anew, keeping the pod objects of workloads that
 * come out the same; null when two workloads share a key.
 */
function* namespaceShare(inputs: PodInputs, old: NamespacePods | undefined, nodeCount: number): Steps<NamespacePods | null> {
  const names = new NameRegistry();
  const entries: PodEntry[] = [];
  const declared = new Map<PodObject, PodEntry>();
  for (const object of inputs.pods) {
    const before = old?.declared.get(object);
    const entry = before ?? entryFromPodObject(object);
    declared.set(object, entry);
    names.add(entry.pod.namespace, entry.pod.name);
    entries.push(entry);
  }
  const workloads = sortWorkloads(inputs.workloads);
  if (hasEqualNeighbours(workloads)) return null;
  const generated = new Map<WorkloadObject, readonly PodEntry[]>();
  const warnings: Problem[] = [];
  let sinceYield = 0;
  for (const workload of workloads) {
    // A workload makes up to thousands of pods: a pause check after every few dozen.
    if (sinceYield >= PODS_PER_STEP) {
      sinceYield = 0;
      yield;
    }
    const made = synthesizePods([workload], names, nodeCount);
    sinceYield += made.pods.length + 1;
    const before = old?.generated.get(workload);
    const pods = before && sameNames(before, made.pods) ? before : made.pods;
    generated.set(workload, pods);
    for (const entry of pods) entries.push(entry);
    for (const warning of made.warnings) warnings.push(warning);
  }
  entries.sort((a, b) => compareKeys(a.pod, b.pod));
  return { ...inputs, entries, warnings, declared, generated };
}

/**
 * The pod (not placed in this build) at an address of one family. Asked
 * only when a new pod probes past a taken address (a few times in a
 * hundred): a scan, remembered, costs less than indexing 150,000 addresses.
 */
function keptLookup(entries: readonly PodEntry[], fresh: ReadonlySet<PodEntry>, family: IPFamily, index: number): (value: bigint) => Keyed | undefined {
  const found = new Map<bigint, Keyed | undefined>();
  return (value) => {
    if (found.has(value)) return found.get(value);
    const text = ipFromValue(family, value).text;
    const entry = entries.find((e) => ipAt(e.pod.ips, index) === text && !fresh.has(e) && !e.origin.givenIPs);
    found.set(value, entry?.pod);
    return entry?.pod;
  };
}

/** Workloads in the order synthesis runs them: namespace, name, kind. */
function sortWorkloads(workloads: readonly WorkloadObject[]): WorkloadObject[] {
  return [...workloads].sort((a, b) => compareKeys(a.meta, b.meta) || (a.kind < b.kind ? -1 : 1));
}

function hasEqualNeighbours(sorted: readonly WorkloadObject[]): boolean {
  for (let i = 1; i < sorted.length; i++) {
    const [a, b] = [sorted[i - 1]!, sorted[i]!];
    if (a.kind === b.kind && compareKeys(a.meta, b.meta) === 0) return true;
  }
  return false;
}

/** The entries (sorted by namespace) of one namespace. */
function entriesIn(entries: readonly PodEntry[], namespace: string): PodEntry[] {
  return entries.filter((entry) => entry.pod.namespace === namespace);
}

function hasEqualNames(sorted: readonly PodEntry[]): boolean {
  for (let i = 1; i < sorted.length; i++) if (compareKeys(sorted[i - 1]!.pod, sorted[i]!.pod) === 0) return true;
  return false;
}

function groupByNamespace(inputs: PodInputs): Map<string, { pods: PodObject[]; workloads: WorkloadObject[] }> {
  const groups = new Map<string, { pods: PodObject[]; workloads: WorkloadObject[] }>();
  const group = (namespace: string) => {
    let found = groups.get(namespace);
    if (!found) groups.set(namespace, (found = { pods: [], workloads: [] }));
    return found;
  };
  for (const object of inputs.pods) group(object.meta.namespace).pods.push(object);
  for (const workload of inputs.workloads) group(workload.meta.namespace).workloads.push(workload);
  return groups;
}

function sameItems<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((item, i) => item === b[i]);
}

function sameNames(a: readonly PodEntry[], b: readonly PodEntry[]): boolean {
  return a.length === b.length && a.every((entry, i) => entry.pod.name === b[i]!.pod.name);
}

function cidrText(pool: FamilyPool): string {
  return pool
    .cidrs()
    .map((cidr) => cidr.text)
    .join(',');
}
