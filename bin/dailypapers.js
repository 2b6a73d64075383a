#!/usr/bin/env node
// Registers tsx's loader in this process and runs the TypeScript CLI: no build step, one process.
import { register } from 'tsx/esm/api';

register();
const { runFromProcess } = await import('../src/cli/main.ts');
runFromProcess();
