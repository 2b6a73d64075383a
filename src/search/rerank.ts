import { porterStem } from './porter.ts';
import { stems, words, isStopword } from './tokenize.ts';
import { idf, type TermStats } from './stats.ts';

/**
 * Reranks the keyword top-k with a few cheap signals FTS5's bm25() cannot express. Each was kept
 * only if it raised nDCG@10 on SciFact train under 2-fold cross-validation (docs/SEARCH-QUALITY.md):
 * - `bm25`: BM25F recomputed with sharper term weights (below), scaled by the best candidate's;
 * - `rm3`: BM25F of an RM3-style expansion built from the top candidates (pseudo-relevance feedback);
 * - `sentence`: weight mass of query terms found together in one sentence (claims match one sentence);
 * - `bigram`: share of the query's adjacent word pairs found adjacent in the paper;
 * - `coverage`: weight mass of query terms present at all;
 * - `soft`: weight mass of query terms a paper lacks but has a near synonym of, by the embedding
 *   model's term vectors ("women" for "female", "tumour" for "cancer"); needs `termVectors`.
 * Weights are few and rounded on purpose: they must hold on data the tuning never saw.
 */
export const RERANK_WEIGHTS = { bm25: 1, rm3: 0.2, sentence: 0.75, bigram: 0.3, coverage: 0.2, soft: 2 };

/**
 * A query term's weight is idf^idfPower × burst^burstPower, where burst is its mean frequency in the
 * candidates containing it: topical words repeat within an abstract ("macrophages" 5 times),
 * generic claim words do not ("increased" once). Both sharpen plain idf on short, wordy queries.
 */
export const TERM_WEIGHTS = { idfPower: 1.5, burstPower: 0.5 };

/** Soft matches count from this cosine on, as cos^SOFT_POWER: only close neighbours matter. */
const SOFT_MIN = 0.3;
const SOFT_POWER = 3;

export interface RerankDoc {
  key: number;
  title: string;
  abstract: string;
  score: number;
}

/** Nearest terms by the embedding model's term vectors (stem → cosine), for soft matching. */
export interface TermVectors {
  termNeighbours(stems: string[]): Map<string, number>[];
}

interface Prepared {
  title: string[];
  abstract: string[];
  sentences: string[][];
  tf: Map<string, [number, number]>;
  len: number;
}

const K1 = 1.2;
const B = 0.75;
const TITLE_WEIGHT = 3;
const FEEDBACK_DOCS = 10;
const FEEDBACK_TERMS = 20;

/** Tokenised candidates, reused across queries: tokenising dominates reranking otherwise. */
const docCache = new Map<number, { title: string; abstract: string; prepared: Prepared }>();
const DOC_CACHE_SIZE = 20_000;

function prepare(d: RerankDoc): Prepared {
  const hit = docCache.get(d.key);
  if (hit && hit.title === d.title && hit.abstract === d.abstract) return hit.prepared;
  const title = stems(d.title);
  // Sentence boundaries fall on whitespace, so the sentences' tokens are the abstract's tokens.
  const sentences = d.abstract.split(/(?<=[.!?])\s+(?=[A-Z(\d])/).map(stems);
  const abstract = sentences.flat();
  const tf = new Map<string, [number, number]>();
  for (const w of title) {
    const e = tf.get(w) ?? [0, 0];
    e[0]++;
    tf.set(w, e);
  }
  for (const w of abstract) {
    const e = tf.get(w) ?? [0, 0];
    e[1]++;
    tf.set(w, e);
  }
  const prepared = { title, abstract, sentences, tf, len: title.length + abstract.length };
  if (docCache.size >= DOC_CACHE_SIZE) docCache.delete(docCache.keys().next().value!);
  docCache.set(d.key, { title: d.title, abstract: d.abstract, prepared });
  return prepared;
}

export interface RerankOptions {
  weights?: typeof RERANK_WEIGHTS;
  /** Cosine similarity of each candidate to the query (hybrid), added with `vectorWeight`. */
  sims?: Map<number, number>;
  vectorWeight?: number;
  /** Enables the `soft` feature. */
  termVectors?: TermVectors | null;
}

export type FeatureRow = Record<keyof typeof RERANK_WEIGHTS, number>;

export function rerank(ts: TermStats, queryText: string, docs: RerankDoc[], opts: RerankOptions = {}): { key: number; score: number }[] {
  const weights = opts.weights ?? RERANK_WEIGHTS;
  const vw = opts.sims ? (opts.vectorWeight ?? 0) : 0;
  if (docs.length < 2 && !vw) return docs.map((d) => ({ key: d.key, score: d.score }));
  const rows = rerankFeatures(ts, queryText, docs, { termVectors: weights.soft ? opts.termVectors : null, feedback: weights.rm3 !== 0 });
  if (!rows) return docs.map((d) => ({ key: d.key, score: d.score + (vw ? vw * (opts.sims!.get(d.key) ?? 0) : 0) })).sort((a, b) => b.score - a.score);
  return rows
    .map((r, i) => {
      let score = vw ? vw * (opts.sims!.get(docs[i].key) ?? 0) : 0;
      for (const f in weights) score += weights[f as keyof FeatureRow] * r[f as keyof FeatureRow];
      return { key: docs[i].key, score };
    })
    .sort((a, b) => b.score - a.score);
}

export interface FeatureOptions {
  termVectors?: TermVectors | null;
  /** Compute `rm3` (two extra lookups and a pass over the top candidates); default true. */
  feedback?: boolean;
  termWeights?: typeof TERM_WEIGHTS;
}

/** Each candidate's features, each scaled to about [0, 1]; null when the query has no content word. */
export function rerankFeatures(ts: TermStats, queryText: string, docs: RerankDoc[], opts: FeatureOptions = {}): FeatureRow[] | null {
  const allStems = words(queryText).map(porterStem);
  const qStems = words(queryText).filter((w) => !isStopword(w)).map(porterStem);
  const qSet = [...new Set(qStems)];
  if (!qSet.length) return null;
  const tw = opts.termWeights ?? TERM_WEIGHTS;
  const prepared = docs.map(prepare);
  const stats = ts.collection();
  const N = Math.max(stats.docs, docs.length);
  const [avgT, , avgA] = stats.avgLen;

  const dfAll = ts.docFreqs(qSet);
  const idfOf = (t: string) => idf(N, dfAll.get(t) ?? 0);
  // Query term weights: idf sharpened by burstiness among the candidates.
  const qWeight = new Map<string, number>();
  for (const t of qSet) {
    let n = 0;
    let c = 0;
    if (tw.burstPower) {
      for (const p of prepared) {
        const e = p.tf.get(t);
        if (e) {
          n++;
          c += e[0] + e[1];
        }
      }
    }
    qWeight.set(t, idfOf(t) ** tw.idfPower * (n ? c / n : 1) ** tw.burstPower);
  }
  const weightOf = (t: string) => qWeight.get(t) ?? 0;
  const bm25f = (q: Map<string, number>, p: Prepared, w: (t: string) => number) => {
    let s = 0;
    for (const [t, qw] of q) {
      const e = p.tf.get(t);
      if (!e) continue;
      const tf = (TITLE_WEIGHT * e[0]) / (1 - B + (B * p.title.length) / avgT) + e[1] / (1 - B + (B * p.abstract.length) / avgA);
      s += qw * w(t) * ((tf * (K1 + 1)) / (tf + K1));
    }
    return s;
  };
  const qCounts = new Map<string, number>();
  for (const t of qStems) qCounts.set(t, (qCounts.get(t) ?? 0) + 1);
  const bm = prepared.map((p) => bm25f(qCounts, p, weightOf));
  const maxScore = Math.max(...bm) || 1;
  const rm3 = opts.feedback === false ? null : feedbackScores(ts, prepared, bm, dfAll, N, (q, p) => bm25f(q, p, (t) => idf(N, dfAll.get(t) ?? 0)));
  const near = opts.termVectors ? neighbourLists(opts.termVectors, qSet) : null;
  const soft = near ? softMatches(near, qSet, prepared, weightOf) : null;
  const idfMass = qSet.reduce((s, t) => s + weightOf(t), 0) || 1;
  // Query words as small integers, so the per-document passes allocate nothing.
  const wordId = new Map<string, number>();
  for (const t of allStems) if (!wordId.has(t)) wordId.set(t, wordId.size);
  const contentIdf = new Float64Array(wordId.size); // 0 for stopwords
  for (const t of qSet) contentIdf[wordId.get(t)!] = weightOf(t);
  const bigrams = new Set<number>();
  for (let i = 0; i + 1 < allStems.length; i++) bigrams.add(wordId.get(allStems[i])! * 4096 + wordId.get(allStems[i + 1])!);
  const mark = new Int32Array(wordId.size);
  let gen = 0;
  /** Weight mass of distinct query words in a token run. */
  const mass = (toks: string[]) => {
    gen++;
    let v = 0;
    for (const t of toks) {
      const id = wordId.get(t);
      if (id === undefined || mark[id] === gen) continue;
      mark[id] = gen;
      v += contentIdf[id];
    }
    return v;
  };

  return docs.map((d, i) => {
    const p = prepared[i];
    const title = mass(p.title);
    let sentence = title;
    for (const s of p.sentences) sentence = Math.max(sentence, mass(s));
    let coverage = 0;
    for (const t of qSet) if (p.tf.has(t)) coverage += weightOf(t);
    let bigram = 0;
    if (bigrams.size) {
      const found = new Set<number>();
      for (const part of [p.title, p.abstract]) {
        let prev = -1;
        for (const t of part) {
          const id = wordId.get(t) ?? -1;
          if (prev >= 0 && id >= 0 && bigrams.has(prev * 4096 + id)) found.add(prev * 4096 + id);
          prev = id;
        }
      }
      bigram = found.size / bigrams.size;
    }
    return {
      bm25: bm[i] / maxScore,
      rm3: rm3 ? rm3[i] : 0,
      sentence: sentence / idfMass,
      bigram,
      coverage: coverage / idfMass,
      soft: soft ? soft[i] / idfMass : 0,
    };
  });
}

/** RM3-like: BM25F of 20 expansion terms drawn from the 10 best candidates, scaled by the best. */
function feedbackScores(ts: TermStats, prepared: Prepared[], bm: number[], dfAll: Map<string, number>, N: number, score: (q: Map<string, number>, p: Prepared) => number): number[] {
  const maxScore = Math.max(...bm) || 1;
  const top = bm.map((s, i) => [i, s]).sort((a, b) => b[1] - a[1]).slice(0, FEEDBACK_DOCS);
  const fbWeights = top.map(([, s]) => Math.exp(s - maxScore));
  const fbSum = fbWeights.reduce((a, b) => a + b, 0) || 1;
  const fbRaw = new Map<string, number>();
  top.forEach(([i], r) => {
    const p = prepared[i];
    for (const [t, e] of p.tf) {
      if (isStopword(t) || /^\d+$/.test(t)) continue;
      fbRaw.set(t, (fbRaw.get(t) ?? 0) + ((fbWeights[r] / fbSum) * (e[0] + e[1])) / Math.max(1, p.len));
    }
  });
  // Only the likeliest feedback terms need an idf: one lookup each.
  const fbTop = [...fbRaw].sort((a, b) => b[1] - a[1]).slice(0, FEEDBACK_TERMS * 3);
  for (const [t, n] of ts.docFreqs(fbTop.map(([t]) => t).filter((t) => !dfAll.has(t)))) dfAll.set(t, n);
  const expansion = fbTop.map(([t, v]) => [t, v * idf(N, dfAll.get(t) ?? 0)] as [string, number]).sort((a, b) => b[1] - a[1]).slice(0, FEEDBACK_TERMS);
  const expSum = expansion.reduce((a, e) => a + e[1], 0) || 1;
  const expQuery = new Map(expansion.map(([t, v]) => [t, v / expSum]));
  const out = prepared.map((p) => score(expQuery, p));
  const rmMax = Math.max(...out) || 1;
  return out.map((x) => x / rmMax);
}

/** Each query term's neighbours above SOFT_MIN, as (term, cos^SOFT_POWER), most similar first. */
function neighbourLists(tv: TermVectors, qSet: string[]): (readonly [string, number])[][] {
  return tv.termNeighbours(qSet).map((m) => [...m].filter(([, c]) => c > SOFT_MIN).map(([u, c]) => [u, c ** SOFT_POWER] as const));
}

/**
 * For each candidate, the weight mass of query terms it lacks, each times cos^3 of its closest
 * term in the paper among the query term's nearest neighbours (cosines under 0.3 count 0): a
 * translation-model-like soft match.
 */
function softMatches(near: (readonly [string, number])[][], qSet: string[], prepared: Prepared[], weightOf: (t: string) => number): Float64Array {
  const out = new Float64Array(prepared.length);
  prepared.forEach((p, i) => {
    let s = 0;
    qSet.forEach((t, k) => {
      if (p.tf.has(t)) return;
      // Neighbours are sorted by similarity: the first one present is the best.
      for (const [u, g] of near[k]) {
        if (p.tf.has(u)) {
          s += weightOf(t) * g;
          break;
        }
      }
    });
    out[i] = s;
  });
  return out;
}

/** The provider's term vectors when it has them (the built-in model), else null. */
export function termVectorsOf(provider: unknown): TermVectors | null {
  return provider && typeof (provider as TermVectors).termNeighbours === 'function' ? (provider as TermVectors) : null;
}
