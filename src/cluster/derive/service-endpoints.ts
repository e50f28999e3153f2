// Each Service's endpoints: derived from the pods its selector picks and
// merged with the given ones (spec §4.1) — or the last build's, when
// nothing they are made of changed.
//
// A Service's endpoints are made of its own object, the pods of its
// namespace, its ipFamilies and the endpoints given for it. A reload hands
// back the very same Service objects for unchanged files, and rebuild/pod-cache.ts
// says which namespaces' pods are the very same ones: for every other
// Service the last build's endpoints are what deriving them again gives
// (test/cluster/settled-reuse.test.ts compares with fresh builds). At
// 150,000 pods this skips deriving ~300,000 endpoints on a one-file edit.

import {
  mergeEndpoints,
  PodIndex,
  selectorEndpoints,
  SortableEndpoints,
  type EndpointTarget,
  type KeyedEndpoint,
} from './endpoints.js';
import { type Endpoint, type IPFamily, keyOf, type PodEntry, type PortLists, type Service, type ServiceObject } from '../model/index.js';
import type { SettledService } from '../addresses/index.js';
import { ITEMS_PER_STEP, type Steps } from '../slicer.js';

/** The pods of a build, as endpoint derivation reads them. */
export interface BuiltPods {
  /** Sorted by namespace/name. */
  readonly entries: readonly PodEntry[];
  /** Namespaces whose pods may differ from the last build's; `undefined`: all (every entry is new). */
  readonly changed: ReadonlySet<string> | undefined;
  /** The entries of one namespace, when the build has them at hand. */
  readonly entriesOf?: (namespace: string) => readonly PodEntry[];
}

interface Remembered {
  readonly endpoints: readonly Endpoint[];
  readonly ipFamilies: readonly IPFamily[];
  /** The given endpoints as JSON, '' for none. */
  readonly given: string;
}

/** A build's endpoints by Service object: what the next build of the same cluster reuses. */
export type RememberedEndpoints = ReadonlyMap<ServiceObject, Remembered>;

interface Pending {
  readonly service: SettledService;
  readonly object: ServiceObject | undefined;
  readonly given: readonly KeyedEndpoint[];
  readonly givenText: string;
}

interface AttachedEndpoints {
  readonly services: readonly Service[];
  readonly remembered: RememberedEndpoints;
}

/** Each Service's endpoints, in steps (a reload runs them through a Slicer). */
export function* attachEndpointSteps(
  settled: readonly SettledService[],
  objects: readonly ServiceObject[],
  pods: BuiltPods,
  given: ReadonlyMap<string, readonly KeyedEndpoint[]>,
  portLists: PortLists,
  last: RememberedEndpoints | undefined,
): Steps<AttachedEndpoints> {
  let step = 0;
  const { changed } = pods;
  const previous = changed ? last : undefined;
  const remembered = new Map<ServiceObject, Remembered>();
  // Settled services drop targetPort; endpoint derivation needs the ports as written.
  const objectsByKey = new Map<string, ServiceObject>();
  for (const s of objects) {
    if (++step % ITEMS_PER_STEP === 0) yield;
    objectsByKey.set(keyOf(s.meta), s);
  }
  const pending: Pending[] = [];
  for (const service of settled) {
    if (++step % ITEMS_PER_STEP === 0) yield;
    if (service.kind === 'ExternalName') continue;
    const key = keyOf(service);
    const object = objectsByKey.get(key);
    const givenList = given.get(key) ?? [];
    const givenText = givenList.length === 0 ? '' : JSON.stringify(givenList.map((g) => g.endpoint));
    const old = object && previous?.get(object);
    if (old && !changed!.has(service.namespace) && old.given === givenText && sameFamilies(old.ipFamilies, service.ipFamilies)) {
      service.endpoints = old.endpoints;
      remembered.set(object!, old);
    } else pending.push({ service, object, given: givenList, givenText });
  }

  const namespaces = new Set<string>();
  for (const { service } of pending) if (!service.implicit) namespaces.add(service.namespace);
  const entries = !changed ? pods.entries : pods.entriesOf ? ([] as PodEntry[]).concat(...[...namespaces].map(pods.entriesOf)) : entriesIn(pods.entries, namespaces);
  // Endpoint objects are shared per build (PodEntry.endpoint): pods of an
  // earlier build start afresh where their endpoints are made again.
  if (changed) for (const entry of entries) entry.endpoint = entry.otherEndpoints = undefined;
  yield;
  const index = new PodIndex(entries, namespaces.size === 0 ? new Set() : selectorKeys(objects));
  yield;
  for (const { service, object, given: givenList, givenText } of pending) {
    if (++step % 8 === 0) yield;
    const target: EndpointTarget = {
      name: service.name,
      namespace: service.namespace,
      selector: service.selector,
      ports: object?.ports ?? [],
      ipFamilies: service.ipFamilies,
      publishNotReadyAddresses: service.publishNotReadyAddresses,
    };
    const derived = service.implicit ? new SortableEndpoints() : selectorEndpoints(target, index, portLists);
    service.endpoints = mergeEndpoints(derived, givenList);
    if (object) remembered.set(object, { endpoints: service.endpoints, ipFamilies: service.ipFamilies, given: givenText });
  }
  return { services: settled, remembered };
}

/** The entries (sorted by namespace) of `namespaces`. */
function entriesIn(entries: readonly PodEntry[], namespaces: ReadonlySet<string>): PodEntry[] {
  const out: PodEntry[] = [];
  if (namespaces.size === 0) return out;
  let current: string | undefined;
  let take = false;
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as PodEntry;
    const namespace = entry.pod.namespace;
    if (namespace !== current) {
      current = namespace;
      take = namespaces.has(namespace);
    }
    if (take) out.push(entry);
  }
  return out;
}

function sameFamilies(a: readonly IPFamily[], b: readonly IPFamily[]): boolean {
  return a.length === b.length && a.every((family, i) => family === b[i]);
}

function selectorKeys(services: readonly ServiceObject[]): Set<string> {
  const keys = new Set<string>();
  for (const service of services) for (const key of Object.keys(service.selector ?? {})) keys.add(key);
  return keys;
}
