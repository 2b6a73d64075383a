/**
 * npm run bench:fuzz — 10,000 fuzzed requests (FUZZ_RUNS to change, FUZZ_SEED to replay) over every
 * route; prints the status histogram, per-route counts and every property violation (5xx, thrown
 * errors, API 4xx that are not problem+json). Exits 1 if there was any violation.
 * `--json FILE` also writes the figures there (for scripts/bench-report.ts).
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { fuzzWorld } from '../test/support/fuzz-world.ts';
import { FuzzStats, requestArb, routesOf, runCase } from '../test/support/fuzz.ts';

const { values } = parseArgs({ options: { json: { type: 'string' } } });
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
if (values.json) {
  const obj = (m: Map<number | string, number>) => Object.fromEntries([...m.entries()].map(([k, v]) => [String(k), v]));
  const byRoute = Object.fromEntries([...stats.byRoute.entries()].map(([r, m]) => [r, obj(m)]));
  fs.writeFileSync(values.json, JSON.stringify({ runs, seed, routes: routes.length, secs, casesPerSec: runs / secs, byStatus: obj(stats.byStatus), byRoute, violations: stats.violations.length, distinct: distinct.slice(0, 50) }, null, 2) + '\n');
}
process.exitCode = stats.violations.length ? 1 : 0;
