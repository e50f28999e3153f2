#!/usr/bin/env node
// Entry point of the `clusterdns` command. All the work is in src/cli/.
import { main } from './cli/program.js';

process.exitCode = await main(process.argv);
