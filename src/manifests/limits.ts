// The caps on what one manifest text may cost to load. Each is far beyond a
// real cluster's manifests and far below what makes the loader hang or run out
// of memory; every refusal is an error Problem that names the file (and the
// document, when one is at fault) and says the limit.

/** Largest manifest text (file, stdin or API body): 16 MiB (etcd's whole-object limit is 1.5 MiB). */
export const MAX_TEXT_BYTES = 16 * 1024 * 1024;
/** Alias expansions allowed per document (YAML "billion laughs" protection, the yaml library's maxAliasCount). */
export const MAX_ALIAS_COUNT = 100;
/** Nesting levels per document: a CRD schema reaches ~40; the yaml composer recurses and dies near ~800. */
export const MAX_NESTING = 128;
/**
 * YAML documents per text. The parser keeps every document's node tree, and
 * `---` costs 4 bytes, so without a cap 16 MiB would be four million
 * documents (minutes and gigabytes). 10,000 objects per file is far beyond
 * one application's manifests; a bigger cluster can be split across files.
 */
export const MAX_DOCUMENTS = 10_000;
