// The caps on what one manifest text may cost to load. Each is far beyond a
// real cluster's manifests and far below what makes the loader hang or run out
// of memory; every refusal is an error Problem that names the file (and the
// document, when one is at fault) and says the limit.

/**
 * Largest manifest text decoded in one piece: 16 MiB (etcd's whole-object
 * limit is 1.5 MiB). The cap of a control-API body or a string given to the
 * Node API; a bigger file or stdin (a cluster dump) is decoded piece by piece.
 */
export const MAX_TEXT_BYTES = 16 * 1024 * 1024;
/** Largest manifest file or stdin (--max-manifest-bytes): 1 GiB, a dump of a big cluster with room to spare. */
export const DEFAULT_MAX_FILE_BYTES = 1024 * 1024 * 1024;
/** Alias expansions allowed per document (YAML "billion laughs" protection, the yaml library's maxAliasCount). */
export const MAX_ALIAS_COUNT = 100;
/** Nesting levels per document: a CRD schema reaches ~40; the yaml composer recurses and dies near ~800. */
export const MAX_NESTING = 128;
/**
 * YAML documents parsed in one go. The parser keeps every document's node
 * tree, so a text with more is decoded document by document (stream.ts)
 * instead: no cap on documents per file.
 */
export const MAX_DOCUMENTS = 10_000;
