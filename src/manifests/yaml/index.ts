// Manifest text -> documents: the js-yaml fast path and the `yaml` path
// (fast-yaml.ts says why there are two), big texts in pieces, the caps.

export { DEFAULT_MAX_FILE_BYTES, MAX_ALIAS_COUNT, MAX_DOCUMENTS, MAX_NESTING, MAX_TEXT_BYTES } from './limits.js';
export { decodeStream, decodeText } from './stream.js';
export { formatMiB, internalError, type TextOutput } from './yaml-text.js';
