/**
 * npm run bench:digest — 100k confirmed subscribers (a quarter with 1-3 topics from a pool of 300
 * saved searches), 40 papers featured today and 3,000 papers new to the index. Renders and queues
 * one daily period through the product's code (target: ≤ 60 s), printing wall time and peak RSS,
 * then delivers to an in-process SMTP server (smtp-server on loopback) and prints messages/s.
 *
 *   BENCH_SUBSCRIBERS=100000   how many subscribers
 *   BENCH_SEND=20000           how many digests to deliver (all: every one; 0: skip delivery)
 *   BENCH_CONCURRENCY=8        SMTP connections
 *
 * `--json FILE` also writes the figures there (for scripts/bench-report.ts). The baseline, in the
 * same process: the same subscribers read back with one SELECT and each given a fixed text rendered
 * by a template string, i.e. the floor of any per-subscriber loop over this table.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openDatabase } from '../src/storage/db.ts';
import { upsertPapers, featurePapers } from '../src/storage/papers-repo.ts';
import type { PaperRecord } from '../src/domain/paper.ts';
import { testConfig } from '../src/config.ts';
import { mailSettings } from '../src/mail/settings.ts';
import { preparePeriod } from '../src/mail/digest.ts';
import { drainOutbox } from '../src/mail/sender.ts';
import { smtpTransport } from '../src/mail/transport.ts';
import { outboxCounts } from '../src/mail/outbox.ts';
import { startSmtp } from '../test/support/smtp.ts';

const { values } = parseArgs({ options: { json: { type: 'string' } } });
const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 100_000);
const SEND = process.env.BENCH_SEND === 'all' ? Infinity : Number(process.env.BENCH_SEND ?? 20_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const NOW = new Date('2025-03-12T07:00:00Z');
const MB = 1024 * 1024;

const WORDS = ['attention', 'diffusion', 'retrieval', 'agents', 'alignment', 'reasoning', 'compression', 'quantization', 'distillation', 'robotics', 'vision', 'speech', 'graph', 'federated', 'privacy', 'benchmark', 'sparse', 'mixture', 'experts', 'tokenizer', 'multimodal', 'video', 'planning', 'memory', 'kernel', 'scaling', 'pruning', 'transformer', 'contrastive', 'segmentation'];
const CATS = ['cs.CL', 'cs.LG', 'cs.CV', 'cs.AI', 'cs.RO', 'stat.ML'];

let seed = 42;
const rand = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];

function paper(i: number): PaperRecord {
  const a = pick(WORDS);
  const b = pick(WORDS);
  return {
    id: `2503.${String(10000 + i).padStart(5, '0')}`,
    version: 1,
    title: `On ${a} and ${b} for large models, part ${i}`,
    abstract: `We study ${a} in the context of ${b}. Our method improves results on several benchmarks. Code is available. ${'More details follow. '.repeat(8)}`,
    authors: ['Ada Lovelace', 'Alan Turing', 'Grace Hopper', 'Edsger Dijkstra', 'Barbara Liskov', 'Donald Knuth'],
    categories: [pick(CATS), pick(CATS)],
    comment: null,
    journalRef: null,
    doi: null,
    publishedAt: '2025-03-11',
    updatedAt: null,
    listedDay: null,
    source: 'bench',
  };
}

function topicPool(): string[] {
  const pool = new Set<string>();
  while (pool.size < 300) {
    const r = rand();
    pool.add(r < 0.4 ? pick(WORDS) : r < 0.7 ? `"${pick(WORDS)} ${pick(WORDS)}"` : r < 0.9 ? `cat:${pick(CATS)} ${pick(WORDS)}` : `${pick(WORDS)} ${pick(WORDS)}`);
  }
  return [...pool];
}

/** The floor of any per-subscriber loop: read every subscriber, format a fixed digest, write it. */
function renderFloor(sq: NonNullable<Awaited<ReturnType<typeof openDatabase>>['sqlite']>, featured: PaperRecord[]): { rows: number; secs: number } {
  const t0 = performance.now();
  sq.exec('create temp table digest_floor (subscriber_id integer, subject text, text text)');
  const ins = sq.prepare('insert into digest_floor values (?, ?, ?)');
  const list = featured.map((p, i) => `${i + 1}. ${p.title}\n   https://papers.example.org/papers/${p.id}`).join('\n');
  let rows = 0;
  sq.transaction(() => {
    for (const s of sq.prepare("select id, email, topics from subscribers where status = 'confirmed'").all() as { id: number; email: string; topics: string }[]) {
      ins.run(s.id, `Daily papers for ${s.email}`, `Hello ${s.email},\n\n${list}\n\nTopics: ${(JSON.parse(s.topics) as string[]).join(', ')}\n`);
      rows++;
    }
  })();
  const secs = (performance.now() - t0) / 1000;
  sq.exec('drop table digest_floor');
  return { rows, secs };
}

async function sendFloor(transport: ReturnType<typeof smtpTransport>, n: number): Promise<{ sent: number; secs: number }> {
  let next = 0;
  const t0 = performance.now();
  const worker = async () => {
    while (next < n) {
      const i = next++;
      await transport.send({ from: 'papers@example.org', to: `reader${i}@example.org`, subject: 'Daily papers', html: '<p>Hello</p>', text: 'Hello', messageId: `<floor-${i}@example.org>`, headers: {} });
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { sent: n, secs: (performance.now() - t0) / 1000 };
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-bench-digest-'));
  const db = await openDatabase(path.join(dir, 'bench.sqlite'));
  const config = testConfig({ dataDir: dir, baseUrl: 'https://papers.example.org' });

  const featured = Array.from({ length: 40 }, (_, i) => paper(i));
  const fresh = Array.from({ length: 3000 }, (_, i) => paper(1000 + i));
  await upsertPapers(db, [...featured, ...fresh], '2025-03-12T03:00:00.000Z');
  await featurePapers(db, featured.map((p, i) => ({ paperId: p.id, day: '2025-03-12', source: 'import', featuredBy: null, featuredAt: `2025-03-12T06:${String(i).padStart(2, '0')}:00.000Z` })));
  for (const [i, p] of featured.entries()) await db.kysely.updateTable('papers').set({ trending_score: 40 - i, upvotes: 40 - i }).where('id', '=', p.id).execute();

  const topics = topicPool();
  const insert = db.sqlite!.prepare(`insert into subscribers (email, frequency, topics, status, created_at, updated_at, confirmed_at, bounce_count) values (?, 'daily', ?, 'confirmed', ?, ?, ?, 0)`);
  db.sqlite!.transaction(() => {
    for (let i = 0; i < SUBSCRIBERS; i++) {
      const own = i % 4 === 0 ? Array.from({ length: 1 + Math.floor(rand() * 3) }, () => pick(topics)) : [];
      insert.run(`reader${i}@example.org`, JSON.stringify([...new Set(own)]), '2025-03-01T00:00:00Z', '2025-03-01T00:00:00Z', '2025-03-01T00:00:00Z');
    }
  })();
  console.log(`seeded ${SUBSCRIBERS.toLocaleString('en-US')} confirmed subscribers (${Math.ceil(SUBSCRIBERS / 4).toLocaleString('en-US')} with topics from a pool of ${topics.length}), ${featured.length} featured papers, ${fresh.length} new papers`);

  const floor = renderFloor(db.sqlite!, featured);
  console.log(`baseline (one SELECT + a template string + INSERT per subscriber): ${floor.rows.toLocaleString('en-US')} in ${floor.secs.toFixed(2)} s`);

  const settings = mailSettings({ rate: 0, concurrency: CONCURRENCY });
  const rssBefore = process.memoryUsage().rss;
  let peak = rssBefore;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 25);
  const t0 = performance.now();
  const { run, rendered } = await preparePeriod(db, config, settings, 'daily', NOW);
  const secs = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  const parts = db.sqlite!.prepare('select count(*) n, sum(length(html) + length(text)) bytes from outbox_parts').get() as { n: number; bytes: number };
  console.log(`render+queue ${run.period}: ${rendered!.queued.toLocaleString('en-US')} digests queued (${rendered!.nothingNew} with nothing new), ${rendered!.topics} distinct topics, ${parts.n} shared sections (${(parts.bytes / MB).toFixed(1)} MB)`);
  console.log(`  wall time ${secs.toFixed(2)} s (target ≤ 60 s) · peak RSS ${(peak / MB).toFixed(0)} MB (${((peak - rssBefore) / MB).toFixed(0)} MB above the ${(rssBefore / MB).toFixed(0)} MB before rendering) · ${(fs.statSync(path.join(dir, 'bench.sqlite')).size / MB).toFixed(0)} MB database`);

  const out: Record<string, unknown> = {
    subscribers: SUBSCRIBERS,
    withTopics: Math.ceil(SUBSCRIBERS / 4),
    featured: featured.length,
    fresh: fresh.length,
    render: { secs, queued: rendered!.queued, nothingNew: rendered!.nothingNew, topics: rendered!.topics, parts: parts.n, partsMB: parts.bytes / MB, peakRssMB: peak / MB, rssBeforeMB: rssBefore / MB },
    renderBaseline: floor,
  };
  if (SEND > 0) {
    const smtp = await startSmtp({ keepRaw: false });
    const transport = smtpTransport(smtp.url, { concurrency: CONCURRENCY });
    const t1 = performance.now();
    const stats = await drainOutbox({ db, config, settings, transport, now: () => NOW }, { maxMessages: SEND });
    const sendSecs = (performance.now() - t1) / 1000;
    console.log(`send: ${stats.sent.toLocaleString('en-US')} digests to the in-process SMTP server in ${sendSecs.toFixed(1)} s = ${(stats.sent / sendSecs).toFixed(0)} messages/s (${CONCURRENCY} connections, unpaced; server received ${smtp.messages.length.toLocaleString('en-US')})`);
    const left = await outboxCounts(db);
    if (left.queued) console.log(`  ${left.queued.toLocaleString('en-US')} left queued (BENCH_SEND=all delivers every one)`);
    const raw = await sendFloor(transport, Math.min(stats.sent, 5_000));
    console.log(`send baseline (one fixed message through the same transport, ${CONCURRENCY} in flight): ${raw.sent.toLocaleString('en-US')} in ${raw.secs.toFixed(1)} s = ${(raw.sent / raw.secs).toFixed(0)} messages/s`);
    out.send = { sent: stats.sent, secs: sendSecs, perSec: stats.sent / sendSecs, concurrency: CONCURRENCY };
    out.sendBaseline = { ...raw, perSec: raw.sent / raw.secs };
    transport.close();
    await smtp.close();
  }
  if (values.json) fs.writeFileSync(values.json, JSON.stringify(out, null, 2) + '\n');
  await db.close();
  fs.rmSync(dir, { recursive: true, force: true });
}

await main();
