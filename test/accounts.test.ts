import { sql } from 'kysely';
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createApp } from '../src/web/app.ts';
import { testConfig } from '../src/config.ts';
import { freshDb, paperRecord, seedFeatured, testApp } from './support/db.ts';
import { anonymousForm, browserHeaders, formBody, makeUser } from './support/community.ts';
import { safeNext } from '../src/web/pages/account-routes.tsx';

type App = Awaited<ReturnType<typeof testApp>>;

async function appFor(t: TestContext, config: Parameters<typeof testApp>[0] = {}): Promise<App> {
  const a = await testApp(config);
  t.after(() => a.cleanup());
  return a;
}

const FORM = 'application/x-www-form-urlencoded';

/** POSTs a form as an anonymous browser (CSRF cookie + field), plus any extra cookie. */
function postForm(a: App, path: string, fields: Record<string, string>, opts: { cookie?: string; csrf?: boolean } = {}) {
  const cookie = [anonymousForm().cookie, opts.cookie].filter(Boolean).join('; ');
  return a.app.request(path, { method: 'POST', headers: { 'content-type': FORM, cookie }, body: formBody(fields, opts.csrf ?? true) });
}

function sessionCookieOf(res: Response): string | null {
  const c = res.headers.getSetCookie().find((s) => s.startsWith('dp_session='));
  return c ?? null;
}

/** `dp_session=<value>` ready for a Cookie header. */
function sessionPair(res: Response): string {
  const c = sessionCookieOf(res);
  assert.ok(c, 'a session cookie was set');
  return c.split(';')[0];
}

test('signup: 303 with an HttpOnly, SameSite=Lax, Path=/ session cookie; the header then shows the user', async (t) => {
  const a = await appFor(t);
  const form = await a.app.request('/signup');
  assert.equal(form.status, 200);
  assert.equal(form.headers.get('cache-control'), 'no-store');
  const html = await form.text();
  assert.match(html, /<form class="stack-form" method="post" action="\/signup"><input type="hidden" name="_csrf" value="[^"]+"\/>/);

  const res = await postForm(a, '/signup', { username: 'alice', email: 'Alice@Example.org', password: 'correct horse battery' });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/');
  const cookie = sessionCookieOf(res)!;
  assert.match(cookie, /HttpOnly/);
  assert.match(cookie, /SameSite=Lax/);
  assert.match(cookie, /Path=\//);
  assert.doesNotMatch(cookie, /Secure/);

  const home = await a.app.request('/', { headers: { cookie: `${sessionPair(res)}; ${anonymousForm().cookie}` } });
  const body = await home.text();
  assert.match(body, /<a href="\/u\/alice"[^>]*>alice<\/a>/);
  assert.match(body, /<a href="\/papers\/submit">Submit<\/a>/);
  assert.match(body, /<a href="\/settings">Settings<\/a>/);
  assert.match(body, /<form class="inline-form" method="post" action="\/logout"><input type="hidden" name="_csrf" value="[^"]+"\/>/);
  assert.match(body, /<a href="\/papers\/trending">Trending<\/a>/);
  assert.doesNotMatch(body, />Log in</);
  // The page names its viewer, so no shared cache may keep it.
  assert.doesNotMatch(home.headers.get('cache-control') ?? '', /public/);

  const row = await a.db.kysely.selectFrom('users').selectAll().where('username', '=', 'alice').executeTakeFirstOrThrow();
  assert.equal(row.email, 'alice@example.org');
  assert.match(row.password_hash, /^\$argon2id\$/);
});

test('signed out, the header offers Log in (back to this page) and Sign up, and keeps the tagline', async (t) => {
  const a = await appFor(t);
  await seedFeatured(a.db, [{ record: paperRecord({ id: '2503.00001' }), day: '2025-03-12' }]);
  const body = await (await a.app.request('/papers/2503.00001')).text();
  assert.match(body, /by AK and the research community/);
  assert.match(body, /<a href="\/login\?next=%2Fpapers%2F2503.00001">Log in<\/a>/);
  assert.match(body, /<a href="\/signup">Sign up<\/a>/);
  assert.match(body, /<a href="\/papers\/trending">Trending<\/a>/);
  assert.doesNotMatch(body, /action="\/logout"/);
});

test('the session cookie is Secure when the site is served over https', async (t) => {
  const a = await appFor(t, { baseUrl: 'https://x' });
  const res = await postForm(a, '/signup', { username: 'bob', email: 'bob@example.org', password: 'correct horse battery' });
  assert.equal(res.status, 303);
  assert.match(sessionCookieOf(res)!, /Secure/);
});

test('signup errors re-render the form with the typed values (never the password) and the right status', async (t) => {
  const a = await appFor(t);
  await makeUser(a.db, { username: 'taken', email: 'taken@example.org' });
  const cases: [Record<string, string>, number, RegExp][] = [
    [{ username: 'newbie', email: 'not-an-email', password: 'correct horse battery' }, 400, /valid email/],
    [{ username: 'newbie', email: 'n@example.org', password: 'short' }, 400, /at least 8 characters/],
    [{ username: 'no spaces<', email: 'n@example.org', password: 'correct horse battery' }, 400, /Username must be/],
    [{ username: 'TAKEN', email: 'n@example.org', password: 'correct horse battery' }, 409, /username is taken/],
    [{ username: 'newbie', email: 'Taken@Example.org', password: 'correct horse battery' }, 409, /email already exists/],
  ];
  for (const [fields, status, message] of cases) {
    const res = await postForm(a, '/signup', fields);
    assert.equal(res.status, status, JSON.stringify(fields));
    assert.equal(sessionCookieOf(res), null);
    const html = await res.text();
    assert.match(html, message);
    assert.match(html, /<p class="form-error" role="alert"/);
    assert.ok(html.includes(`value="${fields.email}"`), 'the email is kept');
    assert.ok(!html.includes(fields.password), 'the password is never echoed');
  }
  const n = await a.db.kysely.selectFrom('users').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  assert.equal(Number(n.n), 1);
});

test('XSS: values re-rendered in the forms are escaped', async (t) => {
  const a = await appFor(t);
  const payload = '"><script>alert(1)</script>';
  const signup = await (await postForm(a, '/signup', { username: 'mallory', email: payload, password: 'correct horse battery' })).text();
  assert.ok(!signup.includes('<script>alert(1)'), 'signup escapes the email');
  assert.match(signup, /value="&quot;&gt;&lt;script&gt;alert\(1\)&lt;\/script&gt;"/);
  const login = await (await postForm(a, '/login', { login: payload, password: 'whatever-password' })).text();
  assert.ok(!login.includes('<script>alert(1)'), 'login escapes the login');
});

test('CSRF: login, signup and logout POSTs without the token or with a wrong one are refused with 403', async (t) => {
  const a = await appFor(t);
  const user = await makeUser(a.db);
  const fields = { login: user.username, password: user.password };
  assert.equal((await postForm(a, '/login', fields, { csrf: false })).status, 403);
  const wrong = await a.app.request('/login', { method: 'POST', headers: { 'content-type': FORM, cookie: anonymousForm().cookie }, body: new URLSearchParams({ ...fields, _csrf: 'forged' }).toString() });
  assert.equal(wrong.status, 403);
  // The right token for another browser's cookie does not count either.
  const otherCookie = await a.app.request('/login', { method: 'POST', headers: { 'content-type': FORM, cookie: 'dp_csrf=someone-else' }, body: formBody(fields) });
  assert.equal(otherCookie.status, 403);
  assert.equal((await postForm(a, '/signup', { username: 'x1', email: 'x1@example.org', password: 'correct horse battery' }, { csrf: false })).status, 403);
  const headers = await browserHeaders(a.db, user);
  assert.equal((await a.app.request('/logout', { method: 'POST', headers: { cookie: headers.cookie } })).status, 403);
  assert.equal((await postForm(a, '/login', fields)).status, 303, 'with the token it works');
});

test('login by username or email; wrong passwords get 401, then a growing lockout (429 + Retry-After) that refuses even the right one', async (t) => {
  const db = await freshDb();
  t.after(() => db.cleanup());
  let clock = new Date('2025-03-12T12:00:00Z');
  const app = createApp({ db: db.db, config: testConfig({ dataDir: db.dir }), now: () => clock });
  const a = { ...db, app } as App;
  const user = await makeUser(a.db, { username: 'carol', email: 'carol@example.org' });

  const byEmail = await postForm(a, '/login', { login: 'CAROL@example.org', password: user.password });
  assert.equal(byEmail.status, 303);
  assert.ok(sessionCookieOf(byEmail));

  for (let i = 1; i <= 5; i++) {
    const res = await postForm(a, '/login', { login: 'carol', password: 'wrong password' });
    assert.equal(res.status, 401, `attempt ${i}`);
    const html = await res.text();
    assert.match(html, /Wrong username or password/);
    assert.match(html, /name="login" value="carol"/);
  }
  const locked = await postForm(a, '/login', { login: 'carol', password: 'wrong password' });
  assert.equal(locked.status, 429);
  assert.equal(locked.headers.get('retry-after'), '30');
  const right = await postForm(a, '/login', { login: 'carol', password: user.password });
  assert.equal(right.status, 429, 'the right password is refused while locked');
  assert.equal(sessionCookieOf(right), null);

  clock = new Date(clock.getTime() + 31_000);
  const again = await postForm(a, '/login', { login: 'carol', password: 'wrong password' });
  assert.equal(again.status, 401);
  const doubled = await postForm(a, '/login', { login: 'carol', password: user.password });
  assert.equal(doubled.status, 429);
  assert.equal(doubled.headers.get('retry-after'), '60', 'the lockout doubles');

  clock = new Date(clock.getTime() + 61_000);
  const ok = await postForm(a, '/login', { login: 'carol', password: user.password });
  assert.equal(ok.status, 303);
  const row = await a.db.kysely.selectFrom('users').select(['failed_logins', 'locked_until']).where('id', '=', user.id).executeTakeFirstOrThrow();
  assert.deepEqual({ failed: Number(row.failed_logins), locked: row.locked_until }, { failed: 0, locked: null });
});

test('login is rate limited per client address across accounts', async (t) => {
  const a = await appFor(t);
  const user = await makeUser(a.db);
  for (let i = 0; i < 20; i++) {
    const res = await postForm(a, '/login', { login: `nobody${i}`, password: 'guess-guess' });
    assert.equal(res.status, 401, `attempt ${i + 1}`);
  }
  const limited = await postForm(a, '/login', { login: user.username, password: user.password });
  assert.equal(limited.status, 429);
  assert.ok(Number(limited.headers.get('retry-after')) > 0);
  assert.match(await limited.text(), /Too many login attempts/);
});

test('signup is rate limited per client address', async (t) => {
  const a = await appFor(t);
  for (let i = 0; i < 5; i++) {
    assert.equal((await postForm(a, '/signup', { username: `bulk${i}`, email: `bulk${i}@example.org`, password: 'correct horse battery' })).status, 303);
  }
  const res = await postForm(a, '/signup', { username: 'bulk5', email: 'bulk5@example.org', password: 'correct horse battery' });
  assert.equal(res.status, 429);
  assert.ok(res.headers.get('retry-after'));
});

test('?next= leads back only to same-site paths', async (t) => {
  const a = await appFor(t);
  const user = await makeUser(a.db);
  const form = await (await a.app.request('/login?next=/papers/2503.00001%3Fx%3D1')).text();
  assert.match(form, /<input type="hidden" name="next" value="\/papers\/2503.00001\?x=1"\/>/);
  const ok = await postForm(a, '/login', { login: user.username, password: user.password, next: '/settings' });
  assert.equal(ok.headers.get('location'), '/settings');
  for (const evil of ['//evil.example/x', 'https://evil.example/', '/\\evil.example', 'javascript:alert(1)', '/\t/evil.example']) {
    const res = await postForm(a, '/login', { login: user.username, password: user.password, next: evil });
    assert.equal(res.headers.get('location'), '/', evil);
  }
  assert.equal(safeNext('/u/alice#comments'), '/u/alice#comments');
  assert.equal(safeNext('/%2F%2Fevil.example'), '/%2F%2Fevil.example');
  assert.equal(safeNext(''), null);
});

test('logout ends the session: the old cookie no longer works', async (t) => {
  const a = await appFor(t);
  const user = await makeUser(a.db);
  const login = await postForm(a, '/login', { login: user.username, password: user.password });
  const session = sessionPair(login);
  const before = await a.app.request('/settings', { headers: { cookie: session } });
  assert.equal(before.status, 200);

  const out = await postForm(a, '/logout', {}, { cookie: session });
  assert.equal(out.status, 303);
  assert.equal(out.headers.get('location'), '/');
  assert.match(sessionCookieOf(out)!, /dp_session=;.*Max-Age=0/);
  const after = await a.app.request('/settings', { headers: { cookie: session } });
  assert.equal(after.status, 302);
  assert.equal(after.headers.get('location'), '/login?next=/settings');
  const left = await a.db.kysely.selectFrom('sessions').selectAll().where('user_id', '=', user.id).execute();
  assert.equal(left.length, 0);
});

test('logging in again replaces the browser\'s previous session (no session fixation)', async (t) => {
  const a = await appFor(t);
  const user = await makeUser(a.db);
  const first = sessionPair(await postForm(a, '/login', { login: user.username, password: user.password }));
  const second = sessionPair(await postForm(a, '/login', { login: user.username, password: user.password }, { cookie: first }));
  assert.notEqual(first, second);
  assert.equal((await a.app.request('/settings', { headers: { cookie: first } })).status, 302);
  assert.equal((await a.app.request('/settings', { headers: { cookie: second } })).status, 200);
});

test('/u/<username>: submitted and upvoted papers and comments, newest first, escaped; 404 for unknown users', async (t) => {
  const a = await appFor(t);
  const dana = await makeUser(a.db, { username: 'dana' });
  const other = await makeUser(a.db);
  await seedFeatured(a.db, [
    { record: paperRecord({ id: '2503.00011', title: 'Old submission' }), day: '2025-03-10' },
    { record: paperRecord({ id: '2503.00012', title: 'New <script>alert(1)</script> submission' }), day: '2025-03-11' },
    { record: paperRecord({ id: '2503.00013', title: 'Editor pick' }), day: '2025-03-11' },
  ]);
  await a.db.kysely.updateTable('daily_entries').set({ featured_by: dana.id }).where('paper_id', 'in', ['2503.00011', '2503.00012']).execute();
  await a.db.kysely.updateTable('daily_entries').set({ featured_by: other.id }).where('paper_id', '=', '2503.00013').execute();
  await a.db.kysely
    .insertInto('votes')
    .values([
      { user_id: dana.id, paper_id: '2503.00013', created_at: '2025-03-11T09:00:00.000Z' },
      { user_id: dana.id, paper_id: '2503.00011', created_at: '2025-03-12T09:00:00.000Z' },
      { user_id: other.id, paper_id: '2503.00012', created_at: '2025-03-12T09:00:00.000Z' },
    ])
    .execute();
  const comment = (over: { body: string; created_at: string; deleted_at?: string; hidden_at?: string }) => ({
    paper_id: '2503.00013', user_id: dana.id, parent_id: null, updated_at: null, deleted_at: null, hidden_at: null, ...over,
  });
  await a.db.kysely
    .insertInto('comments')
    .values([
      comment({ body: 'First **thought** <img src=x onerror=alert(1)>', created_at: '2025-03-11T10:00:00.000Z' }),
      comment({ body: 'Second thought', created_at: '2025-03-12T10:00:00.000Z' }),
      comment({ body: 'Deleted one', created_at: '2025-03-12T11:00:00.000Z', deleted_at: '2025-03-12T11:30:00.000Z' }),
      comment({ body: 'Hidden one', created_at: '2025-03-12T11:00:00.000Z', hidden_at: '2025-03-12T11:30:00.000Z' }),
    ])
    .execute();
  const ids = (await a.db.kysely.selectFrom('comments').select('id').orderBy('id').execute()).map((r) => Number(r.id));

  const res = await a.app.request('/u/dana');
  assert.equal(res.status, 200);
  const html = await res.text();
  const section = (id: string) => html.slice(html.indexOf(`id="${id}"`)).split('</section>')[0];
  const links = (s: string) => [...s.matchAll(/<a href="(\/papers\/[^"]+)">/g)].map((m) => m[1]);

  assert.match(section('submitted-title'), /Submitted papers · 2/);
  assert.deepEqual(links(section('submitted-title')), ['/papers/2503.00012', '/papers/2503.00011']);
  assert.match(section('upvoted-title'), /Upvoted papers · 2/);
  assert.deepEqual(links(section('upvoted-title')), ['/papers/2503.00011', '/papers/2503.00013']);
  assert.match(section('comments-title'), /Comments · 2/);
  assert.deepEqual(links(section('comments-title')), [`/papers/2503.00013#comment-${ids[1]}`, `/papers/2503.00013#comment-${ids[0]}`]);
  assert.doesNotMatch(html, /Deleted one|Hidden one/);
  assert.ok(!html.includes('<script>alert(1)'), 'titles are escaped');
  assert.ok(html.includes('New &lt;script&gt;alert(1)&lt;/script&gt; submission'));
  assert.ok(!html.includes('<img src=x'), 'comment excerpts are text');
  assert.ok(!html.includes(dana.email), 'the email is private');

  const canonical = await a.app.request('/u/DANA');
  assert.equal(canonical.status, 301);
  assert.equal(canonical.headers.get('location'), '/u/dana');
  for (const path of ['/u/nobody', '/u/%3Cscript%3E']) {
    const r = await a.app.request(path);
    assert.equal(r.status, 404, path);
    assert.ok(!(await r.text()).includes('<script>'), path);
  }
});

test('/settings needs a signed-in user; it shows the account and links to manage the email digest, never cached', async (t) => {
  const a = await appFor(t);
  const user = await makeUser(a.db, { username: 'erin' });
  const anon = await a.app.request('/settings');
  assert.equal(anon.status, 302);
  assert.equal(anon.headers.get('location'), '/login?next=/settings');

  const res = await a.app.request('/settings', { headers: await browserHeaders(a.db, user) });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('cache-control'), 'no-store');
  const html = await res.text();
  assert.match(html, /<h1>Settings<\/h1>/);
  assert.ok(html.includes(user.email));
  assert.match(html, /You have no API tokens/);
  assert.match(html, /Email digest[\s\S]*<a href="\/subscription">manage your subscription<\/a>[\s\S]*<a href="\/subscribe">subscribe<\/a>/);
  assert.match(html, /<form class="row-form" method="post" action="\/settings\/tokens"><input type="hidden" name="_csrf"/);
});

test('API token lifecycle: created on /settings and shown once, works as Bearer, then revoked and refused with 401', async (t) => {
  const a = await appFor(t);
  const user = await makeUser(a.db, { username: 'frank' });
  const browser = await browserHeaders(a.db, user);
  const post = (path: string, fields: Record<string, string>) =>
    a.app.request(path, { method: 'POST', headers: { cookie: browser.cookie, 'content-type': FORM }, body: formBody(fields) });

  const bad = await post('/settings/tokens', { name: '   ' });
  assert.equal(bad.status, 400);
  assert.match(await bad.text(), /Token name must be 1–64 characters/);

  const created = await post('/settings/tokens', { name: 'my <script> bot' });
  assert.equal(created.status, 201);
  assert.equal(created.headers.get('cache-control'), 'no-store');
  const page = await created.text();
  const token = /<code id="new-token">(dp_[A-Za-z0-9_-]{43})<\/code>/.exec(page)?.[1];
  assert.ok(token, 'the new token is shown');
  assert.match(page, /shown only this once/);
  assert.ok(page.includes('my &lt;script&gt; bot'));
  const stored = await a.db.kysely.selectFrom('api_tokens').selectAll().where('user_id', '=', user.id).executeTakeFirstOrThrow();
  assert.notEqual(stored.token_hash, token, 'only a hash is stored');
  assert.ok(!(await (await a.app.request('/settings', { headers: browser })).text()).includes(token), 'never shown again');

  const bearer = { authorization: `Bearer ${token}` };
  const viaToken = await a.app.request('/settings', { headers: bearer });
  assert.equal(viaToken.status, 200, 'the token resolves the user');
  assert.match(await viaToken.text(), /<a href="\/u\/frank"[^>]*>frank<\/a>/);
  assert.equal((await a.app.request('/api/daily_papers', { headers: bearer })).status, 200);
  const used = await a.db.kysely.selectFrom('api_tokens').select('last_used_at').where('id', '=', stored.id).executeTakeFirstOrThrow();
  assert.ok(used.last_used_at, 'last use is recorded');
  // ... at most once a minute: another call writes nothing (a write would empty the page cache).
  // The clock is pinned, so a rewrite would store the same value: count writes instead (PostgreSQL: the row's xmin).
  const writes = async () =>
    a.db.sqlite
      ? (a.db.sqlite.prepare('SELECT total_changes()').pluck().get() as number)
      : (await sql<{ x: string }>`SELECT xmin::text AS x FROM api_tokens WHERE id = ${stored.id}`.execute(a.db.kysely)).rows[0]!.x;
  const before = await writes();
  assert.equal((await a.app.request('/api/daily_papers', { headers: bearer })).status, 200);
  assert.equal(await writes(), before, 'a second use within the minute is not written');
  // A token cannot mint or revoke tokens: that takes a browser session.
  const mint = await a.app.request('/settings/tokens', { method: 'POST', headers: { ...bearer, 'content-type': FORM }, body: 'name=more' });
  assert.equal(mint.status, 403);

  // Someone else's token id is not yours to revoke.
  const mallory = await makeUser(a.db);
  const malloryBrowser = await browserHeaders(a.db, mallory);
  const steal = await a.app.request(`/settings/tokens/${stored.id}/revoke`, { method: 'POST', headers: malloryBrowser });
  assert.equal(steal.status, 404);

  const revoked = await post(`/settings/tokens/${stored.id}/revoke`, {});
  assert.equal(revoked.status, 303);
  assert.equal(revoked.headers.get('location'), '/settings?revoked=1#tokens');
  const list = await (await a.app.request('/settings?revoked=1', { headers: browser })).text();
  assert.match(list, /The token was revoked/);
  assert.match(list, /Revoked <time/);

  const api = await a.app.request('/api/daily_papers', { headers: bearer });
  assert.equal(api.status, 401);
  assert.match(api.headers.get('content-type') ?? '', /application\/problem\+json/);
  assert.equal((await api.json()).detail, 'Invalid or revoked API token');
  const html = await a.app.request('/settings', { headers: { ...bearer, accept: 'application/json' } });
  assert.equal(html.status, 401);
  assert.match(html.headers.get('content-type') ?? '', /application\/problem\+json/);
  assert.equal((await post(`/settings/tokens/${stored.id}/revoke`, {})).status, 404, 'already revoked');
});
