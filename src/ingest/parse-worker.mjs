// Worker-thread bootstrap. In Node 20 a worker inherits neither a loader registered with
// `register()` (bin/dailypapers.js) nor a working `--import tsx` (tests), so it registers tsx itself
// before loading the TypeScript entry.
import { register } from 'tsx/esm/api';

register();
await import('./parse-worker.ts');
