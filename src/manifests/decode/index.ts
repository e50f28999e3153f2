// One parsed document -> model objects: the envelope, one decoder per kind,
// and the field reader that names the field of every problem.

export { decodeDocument, type DecodeOutput, type Envelope, type ListItemOf } from './decode.js';
export { formatPath, type PathSegment } from './reader.js';
export type { LoadResult, SkippedObject } from './types.js';
