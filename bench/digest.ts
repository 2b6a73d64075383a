/**
 * npm run bench:digest — 100k confirmed subscribers (a quarter with 1-3 topics from a pool of 300
 * saved searches), 40 papers featured today and 3,000 papers new to the index. Renders and queues
 * one daily period through the product's code (target: ≤ 60 s), printing wall time and peak RSS,
 * then delivers to an in-process SMTP server (smtp-server on loopback) and prints messages/s.
 *
 *   BENCH_SUBSCRIBERS=100000   how many subscribers
 *   BENCH_SEND=20000           how many digests to deliver (all: every one; 0: skip delivery)
 *   BENCH_CONCURRENCY=8        SMTP connections
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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

  if (SEND > 0) {
    const smtp = await startSmtp({ keepRaw: false });
    const transport = smtpTransport(smtp.url, { concurrency: CONCURRENCY });
    const t1 = performance.now();
    const stats = await drainOutbox({ db, config, settings, transport, now: () => NOW }, { maxMessages: SEND });
    const sendSecs = (performance.now() - t1) / 1000;
    console.log(`send: ${stats.sent.toLocaleString('en-US')} digests to the in-process SMTP server in ${sendSecs.toFixed(1)} s = ${(stats.sent / sendSecs).toFixed(0)} messages/s (${CONCURRENCY} connections, unpaced; server received ${smtp.messages.length.toLocaleString('en-US')})`);
    const left = await outboxCounts(db);
    if (left.queued) console.log(`  ${left.queued.toLocaleString('en-US')} left queued (BENCH_SEND=all delivers every one)`);
    transport.close();
    await smtp.close();
  }
  await db.close();
  fs.rmSync(dir, { recursive: true, force: true });
}

await main();
