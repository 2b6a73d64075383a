import { startE2eServer, launchBrowser, newPage, axeProblems } from '/work/main/test/e2e/browser.ts';
const s = await startE2eServer();
const b = await launchBrowser();
const { page } = await newPage(b, s.url);
for (const p of ['/', '/papers/2607.00001', '/papers/trending', '/login', '/search?q=x']) {
  await page.goto(s.url + p);
  let t = Date.now();
  await axeProblems(page);
  const full = Date.now() - t; t = Date.now();
  await axeProblems(page, { colorsOnly: true });
  console.log(p, full, Date.now() - t);
}
await b.close(); await s.stop();
