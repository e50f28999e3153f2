// The cluster's own Corefile (--corefile): read it, and the answer-shaping
// plugins it configures (rewrite name, hosts) as wrappers around the responder.

export { loadCorefile, interpretText, type CorefileLoad } from './source.js';
export type { CorefileSettings, CorefileValues } from './settings.js';
export { withHosts, type HostsTable } from './hosts.js';
export { withRewrites, type RewriteRule } from './rewrite.js';
export { rootBlockPlugins } from './chain.js';
export { parseCorefile, type Directive, type ServerBlock } from './parse.js';
