// The package entry: `import { startClusterDns } from 'clusterdns'`.
// Everything else under src/ is internal and may change between versions.

export { startClusterDns, type ClusterDns, type ChangeSummary, type PodListing } from './api/start.js';
export type { ClusterDnsOptions } from './api/options.js';
export type { ManifestInput } from './api/sources.js';
export { ClusterDnsError, type ClusterDnsErrorCode } from './api/errors.js';
export type { RecordListing } from './live/records.js';
export type { PodMode } from './config.js';
export type { Policy } from './forward/index.js';
