import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { paperRecord, seedFeatured } from './support/db.ts';
import { get, hex24, links, withApp, type TestApp } from './support/api.ts';
import { featurePapers, upsertPapers } from '../src/storage/papers-repo.ts';
import { dailyPaperItemSchema, paperDetailSchema, paperListSchema, problemSchema } from '../src/web/api/schemas.ts';

const ORIGIN = 'http://localhost:3000';

/** A week-and-a-bit of feed: 3 papers on Mon 03-10, 1 on 03-11, 2 on 03-12, 1 on Mon 03-17, 1 in February. */
async function seedCalendar(t: TestApp) {
  const r = (id: string, over = {}) => paperRecord({ id, title: `Paper ${id}`, ...over });
  await seedFeatured(t.db, [
    { record: r('2503.00001'), day: '2025-03-10', featuredAt: '2025-03-10T08:00:00.000Z', upvotes: 5 },
    { record: r('2503.00002'), day: '2025-03-10', featuredAt: '2025-03-10T09:00:00.000Z', upvotes: 10 },
    { record: r('2503.00003'), day: '2025-03-10', featuredAt: '2025-03-10T07:00:00.000Z', upvotes: 5 },
    { record: r('2503.00004'), day: '2025-03-11', upvotes: 1 },
    { record: r('2503.00005'), day: '2025-03-12' },
    { record: r('2503.00006'), day: '2025-03-12', upvotes: 3 },
    { record: r('2503.00007'), day: '2025-03-17' },
    { record: r('2502.00008', { publishedAt: '2025-02-20' }), day: '2025-02-28' },
  ]);
}

const ids = (body: { paper: { id: string } }[]) => body.map((i) => i.paper.id);

async function assertProblem(t: TestApp, path: string, status: number, mentions?: string) {
  const r = await get(t, path);
  assert.equal(r.status, status, `${path}: ${JSON.stringify(r.body)}`);
  assert.match(r.type, /^application\/problem\+json/);
  problemSchema.parse(r.body);
  assert.equal(r.body.status, status);
  assert.equal(r.body.instance, path.split('?')[0]);
  if (mentions) {
    assert.ok(r.body.detail.includes(mentions), `detail "${r.body.detail}" should mention ${mentions}`);
    assert.equal(r.body.param, mentions);
  }
  return r.body;
}

describe('GET /api/daily_papers', () => {
  it('returns items in the Hugging Face shape, field by field', () =>
    withApp(async (t) => {
      const rec = paperRecord({ id: '2503.11677', title: 'Attention Is Still All You Need', abstract: 'We show things.', authors: ['Ada Lovelace', 'Alan Turing', 'Grace Hopper'], publishedAt: '2025-03-10' });
      await seedFeatured(t.db, [{ record: rec, day: '2025-03-12', featuredAt: '2025-03-12T08:15:00.000Z', upvotes: 7 }]);
      await t.db.kysely.updateTable('papers').set({ github_repo: 'https://github.com/ada/attn', num_comments: 3 }).where('id', '=', rec.id).execute();

      const r = await get(t, '/api/daily_papers?date=2025-03-12');
      assert.equal(r.status, 200);
      assert.match(r.type, /^application\/json/);
      assert.equal(r.body.length, 1);
      const item = r.body[0];
      dailyPaperItemSchema.parse(item);
      assert.deepEqual(Object.keys(item).sort(), ['isAuthorParticipating', 'numComments', 'paper', 'publishedAt', 'submittedBy', 'summary', 'thumbnail', 'title']);

      const editor = { _id: hex24('user:ak'), name: 'ak', user: 'ak', fullname: 'AK', avatarUrl: `${ORIGIN}/avatars/ak.svg`, type: 'user' };
      assert.deepEqual(item.submittedBy, editor);
      assert.equal(item.submittedBy.user, item.submittedBy.name);
      assert.equal(item.publishedAt, '2025-03-12T08:15:00.000Z');
      assert.equal(item.title, 'Attention Is Still All You Need');
      assert.equal(item.summary, 'We show things.');
      assert.equal(item.thumbnail, `${ORIGIN}/api/papers/2503.11677/thumbnail.svg`);
      assert.equal(item.numComments, 3);
      assert.equal(item.isAuthorParticipating, false);

      const p = item.paper;
      assert.equal(p.id, '2503.11677');
      assert.deepEqual(p.authors, ['Ada Lovelace', 'Alan Turing', 'Grace Hopper'].map((name, i) => ({ _id: hex24(`2503.11677\u0000${i}\u0000${name}`), name, hidden: false })));
      assert.ok(p.authors.every((a: { _id: string }) => /^[0-9a-f]{24}$/.test(a._id)));
      assert.equal(p.publishedAt, '2025-03-10T00:00:00.000Z');
      assert.equal(p.submittedOnDailyAt, '2025-03-12T08:15:00.000Z');
      assert.equal(p.title, item.title);
      assert.equal(p.summary, item.summary);
      assert.equal(p.upvotes, 7);
      assert.equal(p.discussionId, hex24('discussion:2503.11677'));
      assert.equal(p.githubRepo, 'https://github.com/ada/attn');
      assert.equal(p.projectPage, null);
      assert.deepEqual(p.submittedOnDailyBy, editor);
    }));

  it('defaults to the latest day with papers; empty instance gives []', async () => {
    await withApp(async (t) => {
      const r = await get(t, '/api/daily_papers');
      assert.deepEqual([r.status, r.body, r.headers.get('x-total-count')], [200, [], '0']);
    });
    await withApp(async (t) => {
      await seedCalendar(t);
      const r = await get(t, '/api/daily_papers');
      assert.deepEqual(ids(r.body), ['2503.00007']);
      assert.equal(r.headers.get('x-total-count'), '1');
    });
  });

  it('orders a day by upvotes, then by time featured', () =>
    withApp(async (t) => {
      await seedCalendar(t);
      const r = await get(t, '/api/daily_papers?date=2025-03-10');
      assert.deepEqual(ids(r.body), ['2503.00002', '2503.00003', '2503.00001']);
    }));

  it('filters by date, week and month with exact counts', () =>
    withApp(async (t) => {
      await seedCalendar(t);
      const count = async (q: string) => {
        const r = await get(t, `/api/daily_papers?${q}`);
        assert.equal(r.status, 200, q);
        assert.equal(Number(r.headers.get('x-total-count')), r.body.length, q);
        return r.body.length;
      };
      assert.equal(await count('date=2025-03-10'), 3);
      assert.equal(await count('date=2025-03-11'), 1);
      assert.equal(await count('date=2025-03-13'), 0);
      assert.equal(await count('week=2025-W11'), 6);
      assert.equal(await count('week=2025-W12'), 1);
      assert.equal(await count('week=2025-W09'), 1);
      assert.equal(await count('month=2025-03'), 7);
      assert.equal(await count('month=2025-02'), 1);
      assert.equal(await count('month=2025-04'), 0);
      // A week lists later days first.
      const w = await get(t, '/api/daily_papers?week=2025-W11');
      assert.deepEqual(ids(w.body), ['2503.00006', '2503.00005', '2503.00004', '2503.00002', '2503.00003', '2503.00001']);
    }));

  it('paginates with limit, p, X-Total-Count and Link next/prev; following next visits each paper once', () =>
    withApp(async (t) => {
      await seedFeatured(t.db, Array.from({ length: 5 }, (_, i) => ({ record: paperRecord(), day: '2025-03-12', upvotes: 10 - i })));
      const all = ids((await get(t, '/api/daily_papers')).body);
      assert.equal(all.length, 5);

      const first = await get(t, '/api/daily_papers?limit=2&sort=trending');
      assert.equal(first.body.length, 2);
      assert.equal(first.headers.get('x-total-count'), '5');
      const l0 = links(first.res);
      assert.equal(l0.prev, undefined);
      const next = new URL(l0.next!, ORIGIN).searchParams;
      // Other parameters are kept; the resolved day is pinned so the walk stays on one list.
      assert.deepEqual(Object.fromEntries(next), { limit: '2', sort: 'trending', p: '1', date: '2025-03-12' });

      const second = await get(t, l0.next!);
      const l1 = links(second.res);
      assert.equal(new URL(l1.prev!, ORIGIN).searchParams.get('p'), '0');
      assert.equal(new URL(l1.next!, ORIGIN).searchParams.get('p'), '2');

      const seen: string[] = [];
      let path: string | undefined = '/api/daily_papers?limit=2';
      let pages = 0;
      while (path) {
        const r = await get(t, path);
        seen.push(...ids(r.body));
        path = links(r.res).next;
        pages++;
      }
      assert.equal(pages, 3);
      assert.deepEqual(seen, all);

      const last = await get(t, '/api/daily_papers?limit=2&p=2');
      assert.equal(last.body.length, 1);
      assert.deepEqual(Object.keys(links(last.res)), ['prev']);
      const beyond = await get(t, '/api/daily_papers?limit=2&p=9');
      assert.deepEqual([beyond.status, beyond.body.length, beyond.headers.get('x-total-count')], [200, 0, '5']);
    }));

  it('sort=publishedAt orders by arXiv date, newest first; sort=trending by upvotes', () =>
    withApp(async (t) => {
      await seedFeatured(t.db, [
        { record: paperRecord({ id: '2503.00011', publishedAt: '2025-03-01' }), day: '2025-03-12', upvotes: 9 },
        { record: paperRecord({ id: '2503.00012', publishedAt: '2025-03-09' }), day: '2025-03-12', upvotes: 1 },
        { record: paperRecord({ id: '2503.00013', publishedAt: '2025-03-05' }), day: '2025-03-12', upvotes: 4 },
      ]);
      assert.deepEqual(ids((await get(t, '/api/daily_papers?sort=publishedAt')).body), ['2503.00012', '2503.00013', '2503.00011']);
      assert.deepEqual(ids((await get(t, '/api/daily_papers?sort=trending')).body), ['2503.00011', '2503.00013', '2503.00012']);
    }));

  it('submitter=<editor slug> lists imported papers; another user gets an empty list', () =>
    withApp(
      async (t) => {
        await seedFeatured(t.db, [{ record: paperRecord({ id: '2503.00021' }), day: '2025-03-12' }]);
        const byUser = paperRecord({ id: '2503.00022' });
        await upsertPapers(t.db, [byUser], '2025-03-12T00:00:00.000Z');
        await featurePapers(t.db, [{ paperId: byUser.id, day: '2025-03-12', source: 'community', featuredBy: 7, featuredAt: '2025-03-12T10:00:00.000Z' }]);

        const everyone = await get(t, '/api/daily_papers');
        assert.equal(everyone.body.length, 2);
        const mine = await get(t, '/api/daily_papers?submitter=dr-jane-o-neil');
        assert.deepEqual(ids(mine.body), ['2503.00021']);
        assert.equal(mine.body[0].submittedBy.name, 'dr-jane-o-neil');
        assert.equal(mine.body[0].submittedBy.fullname, "Dr. Jane O'Neil");
        assert.deepEqual(ids((await get(t, '/api/daily_papers?submitter=Dr-Jane-O-Neil')).body), ['2503.00021']);
        const other = await get(t, '/api/daily_papers?submitter=taesiri');
        assert.deepEqual([other.status, other.body, other.headers.get('x-total-count')], [200, [], '0']);
      },
      { editorName: "Dr. Jane O'Neil" },
    ));

  it('rejects bad parameters with a problem naming the parameter', () =>
    withApp(async (t) => {
      await assertProblem(t, '/api/daily_papers?date=2025-13-40', 400, 'date');
      await assertProblem(t, '/api/daily_papers?date=2025-02-29', 400, 'date');
      await assertProblem(t, '/api/daily_papers?week=2025-W60', 400, 'week');
      await assertProblem(t, '/api/daily_papers?month=2025-13', 400, 'month');
      const limit0 = await assertProblem(t, '/api/daily_papers?limit=0', 400, 'limit');
      assert.equal(limit0.detail, 'limit must be an integer between 1 and 100');
      await assertProblem(t, '/api/daily_papers?limit=101', 400, 'limit');
      await assertProblem(t, '/api/daily_papers?limit=abc', 400, 'limit');
      await assertProblem(t, '/api/daily_papers?limit=2.5', 400, 'limit');
      const p = await assertProblem(t, '/api/daily_papers?p=-1', 400, 'p');
      assert.match(p.detail, /^p must be an integer/);
      await assertProblem(t, '/api/daily_papers?sort=hot', 400, 'sort');
      const both = await assertProblem(t, '/api/daily_papers?date=2025-03-10&week=2025-W11', 400);
      assert.match(both.detail, /date/);
      assert.match(both.detail, /week/);
    }));

  it('sends CORS and cache headers; errors are not cached', () =>
    withApp(async (t) => {
      const r = await get(t, '/api/daily_papers', { origin: 'https://example.org' });
      assert.equal(r.headers.get('access-control-allow-origin'), '*');
      assert.match(r.headers.get('access-control-expose-headers') ?? '', /Link/);
      assert.equal(r.headers.get('cache-control'), 'public, max-age=60');
      const bad = await get(t, '/api/daily_papers?limit=0', { origin: 'https://example.org' });
      assert.equal(bad.headers.get('cache-control'), null);
      // Preflight for a write is not granted: the API is read-only cross-origin.
      const pre = await t.app.request('/api/daily_papers', { method: 'OPTIONS', headers: { origin: 'https://example.org', 'access-control-request-method': 'POST' } });
      assert.equal(pre.status, 204);
      assert.doesNotMatch(pre.headers.get('access-control-allow-methods') ?? '', /POST/);
    }));
});

describe('GET /api/papers/:id', () => {
  it('returns the flat paper with HF fields and arXiv extras', () =>
    withApp(async (t) => {
      const rec = paperRecord({ id: '2503.11677', version: 2, authors: ['B One', 'A Two'], categories: ['cs.CL', 'cs.LG'], doi: '10.1/x', updatedAt: '2025-03-14T17:59:59Z' });
      await seedFeatured(t.db, [{ record: rec, day: '2025-03-12', featuredAt: '2025-03-12T08:00:00.000Z', upvotes: 2 }]);
      const r = await get(t, '/api/papers/2503.11677');
      assert.equal(r.status, 200);
      paperDetailSchema.parse(r.body);
      assert.equal(r.body.id, '2503.11677');
      assert.deepEqual(r.body.authors.map((a: { name: string }) => a.name), ['B One', 'A Two']);
      assert.equal(r.body.publishedAt, '2025-03-10T00:00:00.000Z');
      assert.equal(r.body.submittedOnDailyAt, '2025-03-12T08:00:00.000Z');
      assert.equal(r.body.submittedOnDailyBy.user, 'ak');
      assert.equal(r.body.discussionId, hex24('discussion:2503.11677'));
      assert.deepEqual(
        [r.body.upvotes, r.body.numComments, r.body.githubRepo, r.body.latestVersion, r.body.categories, r.body.doi, r.body.updatedAt, r.body.featuredDay],
        [2, 0, null, 2, ['cs.CL', 'cs.LG'], '10.1/x', '2025-03-14T17:59:59.000Z', '2025-03-12'],
      );
    }));

  it('resolves versioned and old-style ids; a never-featured paper has null submission fields', () =>
    withApp(async (t) => {
      await upsertPapers(t.db, [paperRecord({ id: '2503.11677' }), paperRecord({ id: 'math/9310227', publishedAt: '1993-10-01' })], '2025-03-12T00:00:00.000Z');
      const v = await get(t, '/api/papers/2503.11677v2');
      assert.deepEqual([v.status, v.body.id, v.body.submittedOnDailyAt, v.body.submittedOnDailyBy, v.body.featuredDay], [200, '2503.11677', null, null, null]);
      const old = await get(t, '/api/papers/math/9310227');
      assert.deepEqual([old.status, old.body.id, old.body.publishedAt], [200, 'math/9310227', '1993-10-01T00:00:00.000Z']);
      assert.equal(old.body.thumbnail, `${ORIGIN}/api/papers/math/9310227/thumbnail.svg`);
      assert.equal((await get(t, '/api/papers/math/9310227v1')).body.id, 'math/9310227');
      assert.equal((await t.app.request('/api/papers/math/9310227/thumbnail.svg')).status, 200);
    }));

  it('404s as problem+json for unknown ids, bad syntax and unknown API paths', () =>
    withApp(async (t) => {
      const unknown = await assertProblem(t, '/api/papers/2503.99999', 404);
      assert.match(unknown.detail, /2503\.99999/);
      await assertProblem(t, '/api/papers/2513.12345', 404);
      await assertProblem(t, '/api/papers/not-an-id', 404);
      await assertProblem(t, '/api/papers/2503.99999/thumbnail.svg', 404);
      await assertProblem(t, '/api/nope', 404);
    }));

  it('serves an SVG thumbnail with the title escaped', () =>
    withApp(async (t) => {
      await upsertPapers(t.db, [paperRecord({ id: '2503.00031', title: 'Evil <script>alert(1)</script> & "quotes"', authors: ['<b>Mallory</b>'] })], '2025-03-12T00:00:00.000Z');
      const r = await get(t, '/api/papers/2503.00031/thumbnail.svg');
      assert.equal(r.status, 200);
      assert.match(r.type, /^image\/svg\+xml/);
      assert.match(r.headers.get('content-security-policy') ?? '', /default-src 'none'/);
      assert.ok(!r.body.includes('<script>'));
      assert.ok(!r.body.includes('<b>'));
      for (const escaped of ['&lt;script&gt;alert(1)&lt;/script&gt;', '&amp;', '&quot;quotes&quot;', '&lt;b&gt;Mallory&lt;/b&gt;']) assert.ok(r.body.includes(escaped), escaped);
      assert.ok(r.body.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'));
      const av = await get(t, '/avatars/ak.svg');
      assert.deepEqual([av.status, av.body.includes('>AK</text>')], [200, true]);
    }));
});

describe('GET /api/papers', () => {
  it('walks all papers newest first with a cursor, each exactly once', () =>
    withApp(async (t) => {
      const days = ['2025-03-01', '2025-03-05', '2025-03-05', '2025-03-05', '2025-02-10', '2025-03-09', '2024-12-31'];
      const recs = days.map((publishedAt) => paperRecord({ publishedAt }));
      await upsertPapers(t.db, recs, '2025-03-12T00:00:00.000Z');
      await seedFeatured(t.db, [{ record: recs[0]!, day: '2025-03-12' }]);
      const expected = [...recs].sort((a, b) => (b.publishedAt!.localeCompare(a.publishedAt!)) || b.id.localeCompare(a.id)).map((r) => r.id);

      const seen: string[] = [];
      let path: string | null = '/api/papers?limit=3';
      while (path) {
        const r = await get(t, path);
        assert.equal(r.status, 200);
        paperListSchema.parse(r.body);
        assert.ok(r.body.papers.length <= 3);
        seen.push(...r.body.papers.map((p: { id: string }) => p.id));
        const next = links(r.res).next ?? null;
        assert.equal(next === null, r.body.nextCursor === null);
        if (next) assert.equal(new URL(next, ORIGIN).searchParams.get('cursor'), r.body.nextCursor);
        path = next;
      }
      assert.deepEqual(seen, expected);
      const all = await get(t, '/api/papers');
      assert.equal(all.body.nextCursor, null);
      const featured = all.body.papers.find((p: { id: string }) => p.id === recs[0]!.id);
      assert.equal(featured.featuredDay, '2025-03-12');
      assert.equal(all.body.papers.filter((p: { featuredDay: string | null }) => p.featuredDay !== null).length, 1);
    }));

  it('rejects a bad cursor or limit with 400 naming the parameter', () =>
    withApp(async (t) => {
      await assertProblem(t, '/api/papers?cursor=not*base64', 400, 'cursor');
      await assertProblem(t, '/api/papers?cursor=abc', 400, 'cursor');
      await assertProblem(t, `/api/papers?cursor=${Buffer.from('{"id":1}').toString('base64url')}`, 400, 'cursor');
      await assertProblem(t, '/api/papers?limit=0', 400, 'limit');
    }));
});

describe('GET /openapi.json', () => {
  it('is an OpenAPI 3.1 document generated from the schemas, with every route and parameter', () =>
    withApp(async (t) => {
      const r = await get(t, '/openapi.json');
      assert.equal(r.status, 200);
      const doc = r.body;
      assert.match(doc.openapi, /^3\.1\.\d+$/);
      for (const p of ['/api/daily_papers', '/api/papers', '/api/papers/{id}', '/api/papers/{id}/thumbnail.svg', '/avatars/{name}.svg', '/openapi.json']) {
        assert.ok(doc.paths[p]?.get, `missing ${p}`);
      }
      const params = doc.paths['/api/daily_papers'].get.parameters;
      assert.deepEqual(params.map((p: { name: string }) => p.name), ['p', 'limit', 'date', 'week', 'month', 'submitter', 'sort']);
      assert.ok(params.every((p: { description?: string; in: string }) => p.in === 'query' && p.description && p.description.length > 5));
      const limit = params.find((p: { name: string }) => p.name === 'limit');
      assert.deepEqual([limit.required, limit.schema.type, limit.schema.minimum, limit.schema.maximum, limit.schema.default], [false, 'integer', 1, 100, 50]);
      assert.deepEqual(params.find((p: { name: string }) => p.name === 'sort').schema.enum, ['publishedAt', 'trending']);
      assert.deepEqual(doc.paths['/api/papers'].get.parameters.map((p: { name: string }) => p.name), ['cursor', 'limit']);
      assert.equal(doc.paths['/api/papers/{id}'].get.parameters[0].in, 'path');

      const schemas = doc.components.schemas;
      for (const name of ['DailyPaperItem', 'FeedPaper', 'Author', 'User', 'Paper', 'PaperList', 'Problem']) assert.ok(schemas[name], `missing ${name}`);
      assert.deepEqual(schemas.DailyPaperItem.required.sort(), ['isAuthorParticipating', 'numComments', 'paper', 'publishedAt', 'submittedBy', 'summary', 'thumbnail', 'title']);
      assert.equal(doc.paths['/api/daily_papers'].get.responses['400'].content['application/problem+json'].schema.$ref, '#/components/schemas/Problem');
      // Every $ref resolves.
      const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]!);
      assert.ok(refs.length > 5);
      for (const ref of refs) assert.ok(schemas[ref], `dangling $ref ${ref}`);
    }));
});
