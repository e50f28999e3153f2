#!/usr/bin/env node
// Entry point of the `clusterdns` command. All the work is in src/cli/.
import { keepYoungGenerationSmall, limitMallocArenas } from './cli/heap.js';

// Before the program is loaded, not just run: compiling its modules is what
// first grows V8's young generation.
limitMallocArenas();
keepYoungGenerationSmall();
const { main } = await import('./cli/program.js');

process.exitCode = await main(process.argv);
