/**
 * npm run bench:fuzz — 10,000 fuzzed requests (FUZZ_RUNS to change, FUZZ_SEED to replay) over every
 * route; prints the status histogram, per-route counts and every property violation (5xx, thrown
 * errors, API 4xx that are not problem+json). Exits 1 if there was any violation.
 */
import fc from 'fast-check';
import { fuzzWorld } from '../test/support/fuzz-world.ts';
import { FuzzStats, requestArb, routesOf, runCase } from '../test/support/fuzz.ts';

const runs = Number(process.env.FUZZ_RUNS ?? 10_000);
const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Date.now() % 2 ** 31;
const world = await fuzzWorld();
const routes = routesOf(world);
const stats = new FuzzStats();
const t0 = performance.now();
// Collect, not assert: a bench run reports every distinct failure instead of stopping at the first.
await fc.assert(
  fc.asyncProperty(requestArb(world, routes), async (req) => {
    stats.add(req, await runCase(world, req));
  }),
  { numRuns: runs, seed },
);
const secs = (performance.now() - t0) / 1000;
await world.cleanup();

const fmt = (m: Map<number | string, number>) => [...m.entries()].sort((a, b) => String(a[0]).localeCompare(String(b[0]))).map(([k, v]) => `${k}:${v}`).join(' ');
console.log(`fuzz: ${runs.toLocaleString('en-US')} cases over ${routes.length} routes in ${secs.toFixed(1)} s (seed ${seed})`);
console.log(`statuses: ${fmt(stats.byStatus)}`);
for (const [route, m] of [...stats.byRoute.entries()].sort()) console.log(`  ${route.padEnd(70)} ${fmt(m)}`);
const distinct = [...new Set(stats.violations.map((v) => v.split('\n')[0]!.slice(0, 400)))];
console.log(`violations: ${stats.violations.length}${distinct.length ? '' : ' (none)'}`);
for (const v of distinct.slice(0, 50)) console.log(`  ${v}`);
process.exitCode = stats.violations.length ? 1 : 0;
