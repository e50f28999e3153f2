// Where text comes from: files, directories and stdin, the memo that skips
// unchanged files on a reload, and the load's result.

export { memoFor } from './decode-memo.js';
export { MANIFEST_EXTENSIONS, readPath, STDIN_NAME, type StdinSource } from './files.js';
export { combineLoads, findDuplicateSteps, finish, newCollected } from './result.js';
