import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cleanTex, extractLinks, normalizeAuthorName, normalizeText, normalizeWhitespace } from './text.ts';

test('normalizeWhitespace collapses hard wraps and paragraph indents', () => {
  assert.equal(normalizeWhitespace('  At the heart\nof it.\n  Continuing,\twe go.\n'), 'At the heart of it. Continuing, we go.');
  assert.equal(normalizeWhitespace(' \n\t '), '');
});

test('normalizeAuthorName reorders "Last, First" and keeps suffixes', () => {
  assert.equal(normalizeAuthorName('Calderbank, A. R.'), 'A. R. Calderbank');
  assert.equal(normalizeAuthorName('Hammons Jr., A. Roger'), 'A. Roger Hammons Jr.');
  assert.equal(normalizeAuthorName('Smith, John, Jr.'), 'John Smith Jr.');
  assert.equal(normalizeAuthorName('John Smith, Jr.'), 'John Smith Jr.');
  assert.equal(normalizeAuthorName('Solé, Patrick'), 'Patrick Solé');
  assert.equal(normalizeAuthorName('  Adam Tauman\n Kalai '), 'Adam Tauman Kalai');
  assert.equal(normalizeAuthorName('The ATLAS Collaboration'), 'The ATLAS Collaboration');
  assert.equal(normalizeAuthorName('Requardt,'), 'Requardt');
  assert.equal(normalizeAuthorName('G\\"odel, Kurt'), 'Kurt Gödel');
});

test('cleanTex joins discretionary hyphens and leaves math byte-identical', () => {
  const raw =
    'The Nordstrom-Robinson, Kerdock, and (slightly modified) Pre\\- parata codes are shown to be linear over $\\ZZ_4$, the integers $\\bmod~4$.';
  assert.equal(
    cleanTex(raw),
    'The Nordstrom-Robinson, Kerdock, and (slightly modified) Preparata codes are shown to be linear over $\\ZZ_4$, the integers $\\bmod~4$.',
  );
  assert.equal(cleanTex('a $x\\-y \\"o~z$ b'), 'a $x\\-y \\"o~z$ b');
  assert.equal(cleanTex('$$\\sum_i \\& x_i$$ and \\(a~b\\) and \\[c~d\\] done~now'), '$$\\sum_i \\& x_i$$ and \\(a~b\\) and \\[c~d\\] done now');
});

test('cleanTex converts accents outside math', () => {
  assert.equal(cleanTex('G{\\"o}del, Erd\\H{o}s, B\\\'ezout, Gr\\"obner, \\`a la, Espa\\~na'), 'Gödel, Erdős, Bézout, Gröbner, à la, España');
  assert.equal(cleanTex('Gar\\c{c}on, {\\c c}a, Fra\\"{\\i}ss\\\'{e}, Pr\\\'{e}diction, tr\\`{e}s'), 'Garçon, ça, Fraïssé, Prédiction, très');
  assert.equal(cleanTex('H{\\o}holdt, Stra\\ss e, \\AA ngstr\\"om, {\\l}\\\'od\\^e'), 'Høholdt, Straße, Ångström, łódê');
  assert.equal(cleanTex('{\\it cellular network} and \\emph{really}'), 'cellular network and really');
  assert.equal(cleanTex('\\textbf{M\\"o}bius and G\\"{o}del'), 'Möbius and Gödel');
});

test('cleanTex handles hard-wrapped accents, dotless i, italic correction and approximate tildes', () => {
  assert.equal(cleanTex('Erd\\" os-R\\\' enyi graphs by B\\\' en\\\' ezit'), 'Erdös-Rényi graphs by Bénézit');
  assert.equal(cleanTex('Ar\\i kan and Fra\\"{\\i}ss\\\'e'), 'Arıkan and Fraïssé');
  assert.equal(cleanTex('{\\em every\\/} trip'), 'every trip');
  assert.equal(cleanTex('S(f) ~ 1/f and (~200 km) but Fig.~3 and $n$~vertices'), 'S(f) ~ 1/f and (~200 km) but Fig. 3 and $n$ vertices');
  assert.equal(cleanTex('etc\\. Then'), 'etc\\. Then');
});

test('cleanTex unescapes specials and ties outside math only', () => {
  assert.equal(cleanTex('40\\% pruning \\& more, snake\\_case, Fig.~3'), '40% pruning & more, snake_case, Fig. 3');
  assert.equal(cleanTex('costs \\$5 and $x\\%$'), 'costs $5 and $x\\%$');
});

test('cleanTex is conservative with what it does not know', () => {
  // Quotes written as TeX umlauts have no precomposed form: left as they were.
  assert.equal(cleanTex('operators like \\"call-cc\\" and'), 'operators like \\"call-cc\\" and');
  assert.equal(cleanTex('{\\pounds} \\LaTeX\\ and \\cite{x}'), '{\\pounds} \\LaTeX\\ and \\cite{x}');
  // An unclosed dollar: everything from it on is kept as is.
  assert.equal(cleanTex('a~b $x~y and c~d'), 'a b $x~y and c~d');
  assert.equal(cleanTex(''), '');
});

test('cleanTex keeps tildes in URLs but undoes escapes there', () => {
  assert.equal(cleanTex('see http://www.cs.x.edu/~user/a\\_b.html~now'), 'see http://www.cs.x.edu/~user/a_b.html~now');
});

test('normalizeText does whitespace then TeX', () => {
  assert.equal(normalizeText('  Pre\\-\n  parata over $\\ZZ_4$\n'), 'Preparata over $\\ZZ_4$');
});

test('extractLinks: seed example', () => {
  const abs = 'This access also enables the computation of likelihood. The code is available at https://github.com/sony/ctm.';
  assert.deepEqual(extractLinks(abs, null), { githubRepo: 'https://github.com/sony/ctm', projectPage: null });
});

test('extractLinks normalises GitHub links', () => {
  assert.equal(extractLinks('(code: https://github.com/a-b/c_d.e.git).', null).githubRepo, 'https://github.com/a-b/c_d.e');
  assert.equal(extractLinks('see github.com/Foo/Bar/tree/main/src, thanks', null).githubRepo, 'https://github.com/Foo/Bar');
  assert.equal(extractLinks('http://www.github.com/x/y', null).githubRepo, 'https://github.com/x/y');
  assert.equal(extractLinks('https://github.com/orgs/x/people and https://github.com/only', null).githubRepo, null);
  assert.equal(extractLinks('https://gist.github.com/u/abc', null).githubRepo, null);
  assert.equal(extractLinks('https://github.com/a/b\\_c', null).githubRepo, 'https://github.com/a/b_c');
});

test('extractLinks finds the first non-GitHub, non-arXiv, non-DOI page', () => {
  const comment =
    'Accepted to ICCV workshop 2025. See https://arxiv.org/abs/2501.00001 and https://doi.org/10.1/x. The project page can be accessed via\n  this https://clementinegrethen.github.io/publications/3D-Vast-ICCV2025.html\n  URL. The source code is available at this\n  https://github.com/clementinegrethen/StereoLunar URL';
  assert.deepEqual(extractLinks(null, comment), {
    githubRepo: 'https://github.com/clementinegrethen/StereoLunar',
    projectPage: 'https://clementinegrethen.github.io/publications/3D-Vast-ICCV2025.html',
  });
  assert.equal(extractLinks('Project page (https://xyz.github.io/proj/).', null).projectPage, 'https://xyz.github.io/proj/');
  assert.equal(extractLinks('wiki https://en.wikipedia.org/wiki/Foo_(bar).', null).projectPage, 'https://en.wikipedia.org/wiki/Foo_(bar)');
  // The abstract wins over the comment.
  assert.equal(extractLinks('at https://a.example.org/p', 'https://b.example.org/q').projectPage, 'https://a.example.org/p');
  assert.deepEqual(extractLinks(undefined, undefined), { githubRepo: null, projectPage: null });
  // A real arXiv API comment (1701.06264): the org-only link is skipped, `\url{}` braces stripped.
  const lsgan =
    'The source codes for both LS-GAN and GLS-GAN are available at \\url{https://github.com/maple-research-lab}. LS-GAN is also supported by Microsoft CNTK at \\url{https://www.cntk.ai/pythondocs/CNTK_206C_WGAN_LSGAN.html}. The original codes of LS-GAN and GLS-GAN are also available at https://github.com/guojunq/lsgan/ and https://github.com/guojunq/glsgan/';
  assert.deepEqual(extractLinks(null, lsgan), {
    githubRepo: 'https://github.com/guojunq/lsgan',
    projectPage: 'https://www.cntk.ai/pythondocs/CNTK_206C_WGAN_LSGAN.html',
  });
});
