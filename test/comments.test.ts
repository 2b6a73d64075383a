import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { paperRecord, seedFeatured } from './support/db.ts';
import { get, withApp, type TestApp } from './support/api.ts';
import { anonymousForm, bearerHeaders, browserHeaders, formBody, makeUser } from './support/community.ts';
import { problemSchema } from '../src/web/api/schemas.ts';
import { commentListSchema, commentSchema } from '../src/web/api/comment-schemas.ts';
import { wilsonLowerBound } from '../src/domain/wilson.ts';
import type { User } from '../src/domain/user.ts';

const PAPER = '2503.11677';
const DAY = '2025-03-12';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const JSON_TYPE = { 'content-type': 'application/json' };

async function seed(t: TestApp, ...extra: string[]) {
  await seedFeatured(t.db, [PAPER, ...extra].map((id) => ({ record: paperRecord({ id }), day: DAY })));
}

type Headers = Record<string, string>;

async function postForm(t: TestApp, path: string, fields: Record<string, string>, headers: Headers, csrf = true) {
  const res = await t.app.request(path, { method: 'POST', headers: { ...FORM, ...headers }, body: formBody(fields, csrf) });
  return { res, status: res.status, location: res.headers.get('location'), text: await res.text() };
}

async function api(t: TestApp, method: string, path: string, body: unknown, headers: Headers) {
  const res = await t.app.request(path, { method, headers: { ...JSON_TYPE, ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
  const type = res.headers.get('content-type') ?? '';
  return { res, status: res.status, body: (type.includes('json') ? await res.json() : await res.text()) as any };
}

/** Posts through the HTML form and returns the new comment's id from the 303's anchor. */
async function comment(t: TestApp, h: Headers, text: string, parentId?: number, paper = PAPER): Promise<number> {
  const r = await postForm(t, `/papers/${paper}/comments`, parentId ? { text, parentId: String(parentId) } : { text }, h);
  assert.equal(r.status, 303, r.text);
  const m = /^\/papers\/(.+)#comment-(\d+)$/.exec(r.location ?? '');
  assert.ok(m, `redirect ${r.location}`);
  assert.equal(m[1], paper);
  return Number(m[2]);
}

async function list(t: TestApp, sort = 'top', h: Headers = {}, paper = PAPER) {
  const r = await get(t, `/api/papers/${paper}/comments?sort=${sort}`, h);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return commentListSchema.parse(r.body);
}

/** numComments as /api/papers/<id> and /api/daily_papers report it; they must agree. */
async function numComments(t: TestApp): Promise<number> {
  const detail = await get(t, `/api/papers/${PAPER}`);
  const feed = await get(t, `/api/daily_papers?date=${DAY}`);
  const item = feed.body.find((i: { paper: { id: string } }) => i.paper.id === PAPER);
  assert.equal(item.numComments, detail.body.numComments);
  return detail.body.numComments;
}

/** The discussion section of the paper page, as HTML. */
async function section(t: TestApp, h: Headers = {}, query = ''): Promise<string> {
  const r = await get(t, `/papers/${PAPER}${query}`, h);
  assert.equal(r.status, 200);
  const m = /<section id="comments"[\s\S]*?<\/section>/.exec(r.body);
  assert.ok(m, 'comments section present');
  return m[0];
}

async function users(t: TestApp) {
  const alice = await makeUser(t.db, { username: 'alice' });
  const bob = await makeUser(t.db, { username: 'bob' });
  const admin = await makeUser(t.db, { username: 'mod', role: 'admin' });
  const h = async (u: User) => browserHeaders(t.db, u);
  return { alice, bob, admin, ha: await h(alice), hb: await h(bob), hm: await h(admin) };
}

describe('comments: posting', () => {
  it('posts Markdown through the form, redirects to its anchor, renders it, and counts it', () =>
    withApp(async (t) => {
      await seed(t);
      const { ha } = await users(t);
      assert.equal(await numComments(t), 0);
      const id = await comment(t, ha, 'Nice **result**, see [the code](https://github.com/x/y).');
      const html = await section(t, ha);
      assert.match(html, new RegExp(`<li id="comment-${id}"`));
      assert.match(html, /Nice <strong>result<\/strong>/);
      assert.match(html, /<a href="https:\/\/github.com\/x\/y" rel="nofollow ugc noopener">the code<\/a>/);
      assert.match(html, /href="\/u\/alice"/);
      assert.equal(await numComments(t), 1);
      assert.match((await get(t, `/papers/${PAPER}`, ha)).headers.get('cache-control') ?? '', /private/, 'signed-in pages stay out of shared caches');
      assert.equal((await get(t, `/api/papers/${PAPER}/comments`)).headers.get('access-control-allow-origin'), '*');
      const row = await t.db.kysely.selectFrom('papers').select(['trending_at']).where('id', '=', PAPER).executeTakeFirstOrThrow();
      assert.ok(row.trending_at, 'trending recomputed');
    }));

  it('replies one level deep: a reply to a reply joins the top-level thread', () =>
    withApp(async (t) => {
      await seed(t);
      const { ha, hb } = await users(t);
      const top = await comment(t, ha, 'top');
      const reply = await comment(t, hb, 'reply', top);
      const r = await api(t, 'POST', `/api/papers/${PAPER}/comments`, { text: 'reply to reply', parentId: reply }, ha);
      assert.equal(r.status, 201, JSON.stringify(r.body));
      commentSchema.parse(r.body);
      assert.equal(r.body.parentId, top);
      assert.match(r.res.headers.get('location') ?? '', new RegExp(`/api/comments/${r.body.id}$`));
      const d = await list(t);
      assert.equal(d.comments.length, 1);
      assert.deepEqual(d.comments[0]!.replies.map((x) => x.text), ['reply', 'reply to reply']);
      assert.equal(d.numComments, 3);
      const html = await section(t, ha);
      assert.match(html, /<ol class="comment-replies"/);
      assert.equal((html.match(/<details class="comment-reply">/g) ?? []).length, 1, 'reply form only under the top-level comment');
    }));

  it('anonymous: "Log in to comment", the form redirects to login, the API says 401', () =>
    withApp(async (t) => {
      await seed(t);
      assert.match(await section(t), /<a class="button" href="\/login\?next=\/papers\/2503.11677%23comments">Log in to comment<\/a>/);
      const anon = anonymousForm();
      const r = await postForm(t, `/papers/${PAPER}/comments`, { text: 'hi' }, { cookie: anon.cookie });
      assert.equal(r.status, 303);
      assert.equal(r.location, `/login?next=/papers/${PAPER}%23comments`);
      const a = await api(t, 'POST', `/api/papers/${PAPER}/comments`, { text: 'hi' }, {});
      assert.equal(a.status, 401);
      problemSchema.parse(a.body);
    }));

  it('CSRF: a session form without the token is 403; a Bearer token needs none', () =>
    withApp(async (t) => {
      await seed(t);
      const { alice } = await users(t);
      const { cookie } = await browserHeaders(t.db, alice);
      const r = await postForm(t, `/papers/${PAPER}/comments`, { text: 'forged' }, { cookie }, false);
      assert.equal(r.status, 403);
      const j = await api(t, 'POST', `/api/papers/${PAPER}/comments`, { text: 'forged' }, { cookie });
      assert.equal(j.status, 403);
      const b = await api(t, 'POST', `/api/papers/${PAPER}/comments`, { text: 'via token' }, await bearerHeaders(t.db, alice));
      assert.equal(b.status, 201);
      assert.equal(b.body.author.name, 'alice');
      assert.equal(await numComments(t), 1);
    }));

  it('text must be 1–10,000 characters, with a clear message; the form keeps the text', () =>
    withApp(async (t) => {
      await seed(t);
      const { ha } = await users(t);
      const long = 'x'.repeat(10_001);
      const f = await postForm(t, `/papers/${PAPER}/comments`, { text: long }, ha);
      assert.equal(f.status, 400);
      assert.match(f.text, /at most 10,000 characters \(this one has 10,001\)/);
      assert.ok(f.text.includes(long), 'the text comes back in the form');
      assert.equal((await postForm(t, `/papers/${PAPER}/comments`, { text: '  \r\n ' }, ha)).status, 400);
      for (const body of [{ text: '' }, { text: long }, {}, { text: 5 }]) {
        const r = await api(t, 'POST', `/api/papers/${PAPER}/comments`, body, ha);
        assert.equal(r.status, 400, JSON.stringify(body));
        assert.equal(r.body.param, 'text');
      }
      assert.equal((await api(t, 'POST', `/api/papers/${PAPER}/comments`, { text: 'y'.repeat(10_000) }, ha)).status, 201);
      assert.equal(await numComments(t), 1);
    }));

  it('API: unknown paper 404, bad parentId 400 naming it, non-JSON 415, old-style ids work', () =>
    withApp(async (t) => {
      await seed(t, 'math/9310227', '2503.22222');
      const { ha } = await users(t);
      assert.equal((await get(t, '/api/papers/2503.99999/comments')).status, 404);
      assert.equal((await api(t, 'POST', '/api/papers/2503.99999/comments', { text: 'x' }, ha)).status, 404);
      const other = await comment(t, ha, 'elsewhere', undefined, '2503.22222');
      const bad = await api(t, 'POST', `/api/papers/${PAPER}/comments`, { text: 'x', parentId: other }, ha);
      assert.equal(bad.status, 400);
      assert.equal(bad.body.param, 'parentId');
      assert.equal((await api(t, 'POST', `/api/papers/${PAPER}/comments`, { text: 'x', parentId: 'one' }, ha)).body.param, 'parentId');
      assert.equal((await api(t, 'GET', `/api/papers/${PAPER}/comments?sort=best`, undefined, {})).body.param, 'sort');
      const form = await t.app.request(`/api/papers/${PAPER}/comments`, { method: 'POST', headers: { ...FORM, ...ha }, body: 'text=x' });
      assert.equal(form.status, 415);
      const old = await comment(t, ha, 'old style', undefined, 'math/9310227');
      const d = await list(t, 'top', {}, 'math/9310227');
      assert.deepEqual(d.comments.map((c) => c.id), [old]);
      assert.equal((await list(t, 'top', {}, '2503.22222v2')).comments[0]!.id, other, 'versioned ids resolve');
      assert.match(await (await t.app.request('/papers/math/9310227')).text(), new RegExp(`id="comment-${old}"`));
      const doc = (await get(t, '/openapi.json')).body;
      assert.ok(doc.paths['/api/papers/{id}/comments'].post);
      assert.ok(doc.components.schemas.Comment);
    }));

  it('rate limit: the 11th comment within a minute is 429', () =>
    withApp(async (t) => {
      await seed(t);
      const { ha } = await users(t);
      for (let i = 0; i < 10; i++) await comment(t, ha, `comment ${i}`);
      const r = await postForm(t, `/papers/${PAPER}/comments`, { text: 'one too many' }, ha);
      assert.equal(r.status, 429);
      assert.ok(Number(r.res.headers.get('retry-after')) > 0);
      assert.equal(await numComments(t), 10);
    }));
});

describe('comments: editing, deleting, moderation', () => {
  it('authors edit and delete their own comments ("edited" shows); others get 403', () =>
    withApp(async (t) => {
      await seed(t);
      const { ha, hb } = await users(t);
      const id = await comment(t, ha, 'first draft');
      const page = await get(t, `/comments/${id}/edit`, ha);
      assert.equal(page.status, 200);
      assert.match(page.body, /first draft<\/textarea>/);
      assert.equal((await get(t, `/comments/${id}/edit`, hb)).status, 403);
      const e = await postForm(t, `/comments/${id}/edit`, { text: 'second draft' }, ha);
      assert.equal(e.status, 303);
      assert.equal(e.location, `/papers/${PAPER}#comment-${id}`);
      assert.match(await section(t), /· edited<\/span><\/p><div class="comment-body"><p>second draft<\/p>/);
      assert.equal((await postForm(t, `/comments/${id}/edit`, { text: 'hijack' }, hb)).status, 403);
      assert.equal((await postForm(t, `/comments/${id}/delete`, {}, hb)).status, 403);
      assert.equal((await api(t, 'PATCH', `/api/comments/${id}`, { text: 'hijack' }, hb)).status, 403);
      assert.equal((await api(t, 'DELETE', `/api/comments/${id}`, undefined, hb)).status, 403);
      const p = await api(t, 'PATCH', `/api/comments/${id}`, { text: 'third' }, ha);
      assert.equal(p.status, 200);
      assert.equal(p.body.text, 'third');
      assert.equal(p.body.edited, true);
      assert.equal((await api(t, 'PATCH', `/api/comments/${id}`, { text: '' }, ha)).body.param, 'text');
      const d = await postForm(t, `/comments/${id}/delete`, {}, ha);
      assert.equal(d.status, 303);
      assert.doesNotMatch(await section(t), new RegExp(`comment-${id}"`), 'no replies: it disappears');
      assert.equal(await numComments(t), 0);
      assert.equal((await api(t, 'DELETE', `/api/comments/${id}`, undefined, ha)).status, 404);
    }));

  it('a deleted comment with replies stays as [deleted] and keeps them', () =>
    withApp(async (t) => {
      await seed(t);
      const { ha, hb } = await users(t);
      const top = await comment(t, ha, 'parent text');
      await comment(t, hb, 'child text', top);
      assert.equal((await api(t, 'DELETE', `/api/comments/${top}`, undefined, ha)).status, 204);
      const html = await section(t);
      assert.match(html, /\[deleted\]/);
      assert.doesNotMatch(html, /parent text/);
      assert.match(html, /child text/);
      const d = await list(t);
      assert.equal(d.comments[0]!.deleted, true);
      assert.equal(d.comments[0]!.author, null);
      assert.equal(d.comments[0]!.replies.length, 1);
      assert.equal(d.numComments, 1);
      assert.equal(await numComments(t), 1);
    }));

  it('admins hide and unhide; others see "[hidden by a moderator]"; numComments follows', () =>
    withApp(async (t) => {
      await seed(t);
      const { ha, hb, hm } = await users(t);
      const id = await comment(t, ha, 'spammy text');
      await comment(t, hb, 'fine text');
      assert.equal(await numComments(t), 2);
      assert.equal((await postForm(t, `/comments/${id}/hide`, {}, hb)).status, 403);
      const h = await postForm(t, `/comments/${id}/hide`, {}, hm);
      assert.equal(h.status, 303);
      assert.equal(await numComments(t), 1);
      const other = await section(t, hb);
      assert.match(other, /\[hidden by a moderator\]/);
      assert.doesNotMatch(other, /spammy text/);
      assert.doesNotMatch(await section(t), /spammy text/);
      assert.match(await section(t, hm), /spammy text/, 'moderators still read it');
      assert.match(await section(t, ha), /Hidden by a moderator: only its author and moderators[\s\S]*spammy text/, 'so does its author');
      assert.equal((await list(t, 'top', hb)).comments.find((c) => c.id === id)!.text, '');
      assert.equal((await list(t, 'top', hm)).comments.find((c) => c.id === id)!.text, 'spammy text');
      const mod = await get(t, '/admin/comments', hm);
      assert.equal(mod.status, 200);
      assert.match(mod.body, /spammy text/);
      assert.equal((await get(t, '/admin/comments', hb)).status, 403);
      assert.equal((await postForm(t, `/comments/${id}/unhide`, {}, hm)).status, 303);
      assert.equal(await numComments(t), 2);
      assert.match(await section(t), /spammy text/);
    }));

  it('admins ban and unban; a banned user cannot comment, edit or vote', () =>
    withApp(async (t) => {
      await seed(t);
      const { alice, ha, hb, hm } = await users(t);
      const mine = await comment(t, ha, 'before the ban');
      const theirs = await comment(t, hb, 'bob says');
      assert.equal((await postForm(t, '/u/alice/ban', {}, hb)).status, 403);
      const b = await postForm(t, '/u/alice/ban', { next: `/papers/${PAPER}#comment-${mine}` }, hm);
      assert.equal(b.status, 303);
      assert.equal(b.location, `/papers/${PAPER}#comment-${mine}`);
      assert.equal((await postForm(t, `/papers/${PAPER}/comments`, { text: 'after' }, ha)).status, 403);
      assert.equal((await api(t, 'POST', `/api/papers/${PAPER}/comments`, { text: 'after' }, await bearerHeaders(t.db, alice))).status, 403);
      assert.equal((await postForm(t, `/comments/${mine}/edit`, { text: 'x' }, ha)).status, 403);
      assert.equal((await postForm(t, `/comments/${theirs}/vote`, { value: '1' }, ha)).status, 403);
      assert.match(await section(t, ha), /Your account is banned/);
      assert.equal((await postForm(t, '/u/alice/ban', { next: '//evil.example/' }, hm)).location, '/u/alice', 'no open redirect');
      assert.equal((await postForm(t, '/u/mod/ban', {}, hm)).status, 400, 'not yourself');
      assert.equal((await postForm(t, '/u/nobody/ban', {}, hm)).status, 404);
      assert.equal((await postForm(t, '/u/alice/unban', {}, hm)).status, 303);
      await comment(t, ha, 'after the unban');
    }));
});

describe('comments: votes and sorting', () => {
  it('counts stay exact when 20 users comment and vote at once', () =>
    withApp(async (t) => {
      await seed(t);
      const crowd = await Promise.all(Array.from({ length: 20 }, (_, i) => makeUser(t.db, { username: `crowd${i}` })));
      const tokens = await Promise.all(crowd.map((u) => bearerHeaders(t.db, u)));
      const target = (await api(t, 'POST', `/api/papers/${PAPER}/comments`, { text: 'target' }, tokens[0]!)).body.id as number;
      const results = await Promise.all(
        tokens.slice(1).flatMap((h, i) => [
          api(t, 'POST', `/api/papers/${PAPER}/comments`, { text: `c${i}` }, h),
          api(t, 'PUT', `/api/comments/${target}/vote`, { value: i % 4 === 0 ? -1 : 1 }, h),
        ]),
      );
      assert.ok(results.every((r) => r.status === 200 || r.status === 201), JSON.stringify(results.map((r) => r.status)));
      assert.equal(await numComments(t), 20);
      const c = (await list(t)).comments.find((x) => x.id === target)!;
      assert.deepEqual([c.upvotes, c.downvotes], [14, 5]);
      assert.equal(c.score, wilsonLowerBound(14, 5));
    }));

  it('votes toggle through the form; you cannot vote on your own comment', () =>
    withApp(async (t) => {
      await seed(t);
      const { ha, hb } = await users(t);
      const id = await comment(t, ha, 'vote on me');
      assert.equal((await postForm(t, `/comments/${id}/vote`, { value: '1' }, ha)).status, 403);
      const v = await postForm(t, `/comments/${id}/vote`, { value: '1', sort: 'new' }, hb);
      assert.equal(v.status, 303);
      assert.equal(v.location, `/papers/${PAPER}?sort=new#comment-${id}`);
      let c = (await list(t, 'top', hb)).comments[0]!;
      assert.deepEqual([c.upvotes, c.downvotes, c.myVote, c.score], [1, 0, 1, wilsonLowerBound(1, 0)]);
      assert.match(await section(t, hb), /name="value" value="0"[\s\S]*aria-pressed="true"/, 'clicking again withdraws');
      await postForm(t, `/comments/${id}/vote`, { value: '-1' }, hb);
      c = (await list(t, 'top', hb)).comments[0]!;
      assert.deepEqual([c.upvotes, c.downvotes, c.myVote, c.score], [0, 1, -1, 0]);
      const r = await api(t, 'PUT', `/api/comments/${id}/vote`, { value: 0 }, hb);
      assert.deepEqual(r.body, { id, upvotes: 0, downvotes: 0, score: 0, myVote: 0 });
      assert.equal((await api(t, 'PUT', `/api/comments/${id}/vote`, { value: 2 }, hb)).body.param, 'value');
    }));

  it('top sorts by the Wilson lower bound (exact scores); new sorts newest first', () =>
    withApp(async (t) => {
      await seed(t);
      const author = await browserHeaders(t.db, await makeUser(t.db, { username: 'author' }));
      const voters = await Promise.all(Array.from({ length: 10 }, (_, i) => makeUser(t.db, { username: `voter${i}` })));
      const vh = await Promise.all(voters.map((u) => bearerHeaders(t.db, u)));
      // A: 1 up (100 %, little evidence). B: 8 up, 2 down. C: no votes. D: 2 up, 2 down.
      const [a, b, c, d] = [await comment(t, author, 'A'), await comment(t, author, 'B'), await comment(t, author, 'C'), await comment(t, author, 'D')];
      const vote = (id: number, i: number, value: number) => api(t, 'PUT', `/api/comments/${id}/vote`, { value }, vh[i]!);
      await vote(a, 0, 1);
      for (let i = 0; i < 10; i++) await vote(b, i, i < 8 ? 1 : -1);
      for (let i = 0; i < 4; i++) await vote(d, i, i < 2 ? 1 : -1);
      const top = await list(t, 'top');
      assert.deepEqual(top.comments.map((x) => x.text), ['B', 'A', 'D', 'C']);
      assert.deepEqual(top.comments.map((x) => Number(x.score.toFixed(6))), [0.490157, 0.206543, 0.150036, 0]);
      assert.deepEqual(top.comments.map((x) => [x.upvotes, x.downvotes]), [[8, 2], [1, 0], [2, 2], [0, 0]]);
      // Same clock for all four: creation ties break by id, so "new" is the reverse of posting.
      assert.deepEqual((await list(t, 'new')).comments.map((x) => x.text), ['D', 'C', 'B', 'A']);
      const html = await section(t, {}, '?sort=new');
      assert.match(html, /href="\/papers\/2503.11677\?sort=new#comments" aria-current="page"/);
      assert.ok(html.indexOf(`comment-${d}"`) < html.indexOf(`comment-${a}"`));
      const defaultOrder = await section(t);
      assert.ok(defaultOrder.indexOf(`comment-${b}"`) < defaultOrder.indexOf(`comment-${a}"`), 'top is the default');
    }));
});

/** No active markup: script elements, event-handler attributes, script/data URLs, images. */
function assertInert(html: string): void {
  assert.doesNotMatch(html, /<script/i);
  assert.doesNotMatch(html, /<[^>]*\son[a-z]+\s*=/i, 'no event-handler attribute in any tag');
  assert.doesNotMatch(html, /<[^>]*\s(href|src)\s*=\s*["']?\s*(javascript|data):/i, 'no script or data URL in any attribute');
  assert.doesNotMatch(html, /<(img|svg|iframe)\b/i);
}

describe('comments: XSS', () => {
  const payloads = [
    '<script>alert(1)</script>',
    '<img src=x onerror=alert(1)>',
    '[click](javascript:alert(1))',
    '[x](&#106;avascript:alert(1))',
    '[d](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
    '<a href="javascript:alert(1)">a</a>',
    '"><svg onload=alert(1)>',
    '![x](https://evil.example/x.png" onerror="alert(1))',
    '<javascript:alert(1)>',
  ];

  it('payloads render as inert text on the paper page and in the API html', () =>
    withApp(async (t) => {
      await seed(t);
      const { ha, hm } = await users(t);
      await comment(t, ha, payloads.join('\n\n'));
      for (const h of [{}, ha, hm]) {
        const html = await section(t, h);
        assertInert(html);
        assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/, 'shown as text');
      }
      const api = (await list(t)).comments[0]!;
      assertInert(api.html);
      assert.equal(api.text, payloads.join('\n\n'), 'the Markdown source is returned as written');
    }));
});
