import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COMMENT_LINK_REL, renderCommentMarkdown as md, safeLinkHref, sanitizeCommentHtml } from './markdown.ts';

/** Active markup: a script element, an event-handler attribute, or a script/data URL in an attribute. */
function assertInert(html: string): void {
  assert.doesNotMatch(html, /<script/i, html);
  assert.doesNotMatch(html, /<[^>]*\son[a-z]+\s*=/i, html);
  assert.doesNotMatch(html, /<[^>]*(href|src)\s*=\s*["']?\s*(javascript|data|vbscript):/i, html);
  assert.doesNotMatch(html, /<(img|iframe|svg|style|object|embed|form|input)\b/i, html);
}

test('the Markdown subset renders', () => {
  assert.equal(md('Hello **world**, _em_ and `code`'), '<p>Hello <strong>world</strong>, <em>em</em> and <code>code</code></p>');
  assert.equal(md('> quoted'), '<blockquote>\n<p>quoted</p>\n</blockquote>');
  assert.equal(md('- a\n- b'), '<ul>\n<li>a</li>\n<li>b</li>\n</ul>');
  assert.equal(md('3. three\n4. four'), '<ol start="3">\n<li>three</li>\n<li>four</li>\n</ol>');
  assert.equal(md('```js\nif (a < b) {}\n```'), '<pre><code>if (a &lt; b) {}\n</code></pre>');
  assert.equal(md('~~no~~'), '<p><del>no</del></p>');
});

test('links get rel="nofollow ugc noopener" and no target', () => {
  assert.equal(md('[paper](https://arxiv.org/abs/2503.11677)'), `<p><a href="https://arxiv.org/abs/2503.11677" rel="${COMMENT_LINK_REL}">paper</a></p>`);
  assert.equal(md('mail foo@example.org'), `<p>mail <a href="mailto:foo@example.org" rel="${COMMENT_LINK_REL}">foo@example.org</a></p>`);
  assert.equal(md('see https://example.org'), `<p>see <a href="https://example.org/" rel="${COMMENT_LINK_REL}">https://example.org</a></p>`);
  assert.doesNotMatch(sanitizeCommentHtml('<a href="https://x.org/" target="_blank" rel="opener">x</a>'), /target=|rel="opener"/);
});

test('headings are shifted below the page outline', () => {
  assert.equal(md('# One\n\n## Two\n\n###### Six'), '<h3>One</h3>\n<h4>Two</h4>\n<h6>Six</h6>');
});

test('raw HTML in Markdown is shown as text, not markup', () => {
  assert.equal(md('<script>alert(1)</script>'), '<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>');
  assert.equal(md('<img src=x onerror=alert(1)>'), '<p>&lt;img src=x onerror=alert(1)&gt;</p>');
  assert.equal(md('the <EOS> token'), '<p>the &lt;EOS&gt; token</p>');
  assert.equal(md('a <b onmouseover="x()">b</b>'), '<p>a &lt;b onmouseover="x()"&gt;b&lt;/b&gt;</p>');
  for (const p of ['<svg onload=alert(1)>', '<iframe src="javascript:alert(1)"></iframe>', '<a href="javascript:alert(1)">a</a>', '<style>*{}</style>', '<details open ontoggle=alert(1)>']) {
    assertInert(md(p));
  }
});

test('script and data URLs in Markdown links lose their link', () => {
  const payloads = [
    '[x](javascript:alert(1))',
    '[x](JaVaScRiPt:alert(1))',
    '[x](&#106;avascript:alert(1))',
    '[x](&#x6A;avascript&#58;alert(1))',
    '[x](java&#x09;script:alert(1))',
    '[x]( javascript:alert(1))',
    '[x](<javascript:alert(1)>)',
    '[x](vbscript:msgbox(1))',
    '[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
    '[x](//evil.example/)',
    '[x][r]\n\n[r]: javascript:alert(1)',
  ];
  for (const p of payloads) {
    const html = md(p);
    assert.equal(html, '<p>x</p>', `${p} → ${html}`);
  }
  assertInert(md('<javascript:alert(1)>'));
});

test('images become links (no remote fetches); unsafe image URLs become text', () => {
  assert.equal(md('![chart](https://example.org/c.png)'), `<p><a href="https://example.org/c.png" rel="${COMMENT_LINK_REL}">chart</a></p>`);
  assert.equal(md('![x](javascript:alert(1))'), '<p>x</p>');
  assert.equal(md('![x](data:image/png;base64,iVBORw0KGgo=)'), '<p>x</p>');
  assertInert(md('![x](data:image/svg+xml,<svg onload=alert(1)>)'));
});

test('HTML entity tricks stay text', () => {
  assert.equal(md('&lt;script&gt;alert(1)&lt;/script&gt;'), '<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>');
  assertInert(md('&#60;img src=x onerror=alert(1)&#62;'));
  assertInert(md('<img src="x" onerror="&#97;lert(1)">'));
});

test('the sanitiser layer alone strips what marked would never emit', () => {
  assert.equal(sanitizeCommentHtml('<script>alert(1)</script>ok'), 'ok');
  assert.equal(sanitizeCommentHtml('<img src=x onerror=alert(1)>'), '');
  assert.equal(sanitizeCommentHtml('<p style="color:red" class="x" onclick="y()">t</p>'), '<p>t</p>');
  assert.equal(sanitizeCommentHtml('<a href="javascript:alert(1)">a</a>'), 'a');
  assert.equal(sanitizeCommentHtml('<a href="&#106;avascript:alert(1)">a</a>'), 'a');
  assert.equal(sanitizeCommentHtml('<a href="data:text/html,hi">a</a>'), 'a');
  assert.equal(sanitizeCommentHtml('<iframe src="https://x.org"></iframe><svg><circle/></svg>b'), 'b');
  assert.equal(sanitizeCommentHtml('<ol start="x"><li>a</li></ol>'), '<ol><li>a</li></ol>');
});

test('safeLinkHref accepts only absolute http(s) and mailto URLs', () => {
  assert.equal(safeLinkHref('https://example.org'), 'https://example.org/');
  assert.equal(safeLinkHref('mailto:a@b.org'), 'mailto:a@b.org');
  assert.equal(safeLinkHref('javascript:alert(1)'), null);
  assert.equal(safeLinkHref('java\tscript:alert(1)'), null);
  assert.equal(safeLinkHref('/relative'), null);
  assert.equal(safeLinkHref(undefined), null);
});
