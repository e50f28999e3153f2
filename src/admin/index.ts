// The admin side of `serve`: metrics, query log and the HTTP server.

export { startAdminServer, AdminListenError, MAX_BODY_BYTES, type AdminServer } from './server.js';
// createMetrics is imported from './metrics.js' where needed: prom-client is loaded only with --http.
export type { Metrics, MetricsOptions } from './metrics.js';
export { createQueryLog, responseFlags, type QueryLog } from './querylog.js';
export type { AdminContext, Readiness } from './types.js';
export { HOW_TO_SET_A_TOKEN } from './access.js';
export type { AccessSettings } from './types.js';
export { TOKEN_ENV } from './settings.js';
export { accessSettings } from './access.js';
