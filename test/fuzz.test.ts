/**
 * Fuzzing every route (enumerated from the app's router) with fast-check: 500 generated requests
 * per run (FUZZ_RUNS to change, FUZZ_SEED to replay a failure). Only 2xx/3xx/4xx may come back,
 * and 4xx from /api/ are problem+json; see test/support/fuzz.ts. `npm run bench:fuzz` runs 10k.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fuzzWorld } from './support/fuzz-world.ts';
import { requestArb, routesOf, runCase } from './support/fuzz.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 500);

test(`fuzz: ${RUNS} generated requests over every route never give a 5xx, and API 4xx are problem+json`, { timeout: 600_000 }, async () => {
  const world = await fuzzWorld();
  try {
    const routes = routesOf(world);
    assert.ok(routes.length > 50, `expected the app's routes, got ${routes.length}`);
    const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Date.now() % 2 ** 31;
    await fc.assert(
      fc.asyncProperty(requestArb(world, routes), async (req) => {
        const r = await runCase(world, req);
        if (r.violation) throw new Error(r.violation);
      }),
      { numRuns: RUNS, seed, verbose: 1 },
    );
  } finally {
    await world.cleanup();
  }
});
