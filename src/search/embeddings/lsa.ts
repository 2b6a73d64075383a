import fs from 'node:fs';
import crypto from 'node:crypto';
import usearch from 'usearch';
import { porterStem } from '../porter.ts';
import { words, isStopword } from '../tokenize.ts';
import { truncatedSvd, type Csr } from './linalg.ts';
import { normalise, type TrainableProvider } from './provider.ts';

/**
 * The built-in provider: latent semantic analysis trained on the indexed papers themselves, so it
 * downloads nothing and speaks the corpus's own vocabulary. A truncated SVD of the TF-IDF matrix
 * of (a sample of) the papers maps each stemmed term to a dense vector; a text's vector is the
 * TF-IDF-weighted sum of its terms' vectors. Papers that share no word but share co-occurring
 * vocabulary ("KV cache" / "key-value cache" / "attention memory") land near each other.
 *
 * Training is a one-off per corpus generation (about a minute at 50k sampled papers); embedding a
 * paper is a sparse-dense product, hundreds of thousands per second. The model is retrained, and
 * so the index rebuilt, when the corpus has doubled since it was trained.
 */
export interface LsaOptions {
  /** Where the model is saved; null keeps it in memory (tests, `:memory:` databases). */
  modelPath: string | null;
  dimensions?: number;
  /** Papers sampled for training. */
  sampleSize?: number;
  maxVocab?: number;
}

interface LsaModel {
  id: string;
  k: number;
  corpusSize: number;
  vocab: Map<string, number>;
  idf: Float32Array;
  V: Float32Array;
  /** Singular values, for term vectors. */
  sv: Float32Array;
}

const MAGIC = 'DPLSA2';
/** Term vectors are V Σ^TERM_SV_POWER: halfway between V and the documents' scale, as for word similarity. */
const TERM_SV_POWER = 0.5;
const NEIGHBOURS = 100;
/**
 * Neighbours come from the most frequent terms only (the vocabulary is sorted by document
 * frequency): it halves the scan at the 40k-term cap, and rare neighbours seldom occur in
 * candidates. Scanning half of SciFact's vocabulary instead of all of it cost 0.0007 nDCG@10.
 */
const NEIGHBOUR_SCAN = 20_000;
const { exactSearch, MetricKind } = usearch as unknown as typeof import('usearch');
const MIN_CORPUS = 20;

function termCounts(text: string): Map<string, number> {
  const tf = new Map<string, number>();
  for (const w of words(text)) {
    if (w.length < 2 || isStopword(w) || /^\d+$/.test(w)) continue;
    const s = porterStem(w);
    tf.set(s, (tf.get(s) ?? 0) + 1);
  }
  return tf;
}

export class LsaProvider implements TrainableProvider {
  readonly name = 'builtin';
  private m: LsaModel | null = null;
  private terms: Float32Array | null = null;
  private vocabList: string[] | null = null;
  private readonly neighbourCache = new Map<string, Map<string, number>>();
  private readonly k: number;

  constructor(private readonly opts: LsaOptions) {
    this.k = opts.dimensions ?? 128;
    if (opts.modelPath && fs.existsSync(opts.modelPath)) {
      try {
        this.m = LsaProvider.read(opts.modelPath);
      } catch {
        this.m = null; // unreadable: retrained on next sync
      }
    }
  }

  get model(): string {
    return this.m?.id ?? 'lsa-untrained';
  }

  get dimensions(): number {
    return this.m?.k ?? this.k;
  }

  get trained(): boolean {
    return this.m !== null;
  }

  needsTraining(corpusSize: number): boolean {
    if (corpusSize < MIN_CORPUS) return false;
    if (!this.m) return true;
    // Small corpora retrain cheaply and change fast; large ones retrain when they double.
    const factor = this.m.corpusSize < 20_000 ? 1.1 : 2;
    return corpusSize >= factor * this.m.corpusSize;
  }

  async train(docs: () => Iterable<string>, corpusSize: number, onProgress?: (msg: string) => void): Promise<void> {
    const sample = this.opts.sampleSize ?? 30_000;
    const stride = Math.max(1, Math.ceil(corpusSize / sample));
    const rows: Map<string, number>[] = [];
    let i = 0;
    for (const text of docs()) {
      if (i++ % stride === 0) rows.push(termCounts(text));
    }
    onProgress?.(`lsa: ${rows.length} papers sampled`);
    const df = new Map<string, number>();
    for (const r of rows) for (const t of r.keys()) df.set(t, (df.get(t) ?? 0) + 1);
    const minDf = rows.length >= 1000 ? 3 : 2;
    const terms = [...df].filter(([, n]) => n >= minDf).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, this.opts.maxVocab ?? 40_000);
    const vocab = new Map(terms.map(([t], j) => [t, j]));
    const n = rows.length;
    const idf = new Float32Array(terms.map(([, d]) => Math.log((n + 1) / (d + 0.5))));
    const k = Math.max(2, Math.min(this.k, vocab.size - 1, n - 1));
    // Sparse TF-IDF rows, L2-normalised so that long abstracts do not dominate the factors.
    const ptr = new Int32Array(n + 1);
    const idx: number[] = [];
    const val: number[] = [];
    rows.forEach((r, ri) => {
      const start = idx.length;
      let norm = 0;
      for (const [t, c] of r) {
        const j = vocab.get(t);
        if (j === undefined) continue;
        const v = (1 + Math.log(c)) * idf[j];
        idx.push(j);
        val.push(v);
        norm += v * v;
      }
      norm = Math.sqrt(norm) || 1;
      for (let p = start; p < val.length; p++) val[p] /= norm;
      ptr[ri + 1] = idx.length;
    });
    const A: Csr = { rows: n, cols: vocab.size, ptr, idx: Int32Array.from(idx), val: Float32Array.from(val) };
    onProgress?.(`lsa: factorising ${n} × ${vocab.size} (${idx.length} non-zeros) to ${k} dimensions`);
    const { V, sv } = truncatedSvd(A, k, { oversample: 10, powerIters: 1 });
    const hash = crypto.createHash('sha256').update(`${n}:${vocab.size}:${k}:`).update(Buffer.from(V.buffer, V.byteOffset, Math.min(V.byteLength, 4096))).digest('hex').slice(0, 10);
    this.m = { id: `lsa-${k}d-${hash}`, k, corpusSize, vocab, idf, V, sv: Float32Array.from(sv) };
    this.terms = null;
    this.vocabList = null;
    this.neighbourCache.clear();
    if (this.opts.modelPath) LsaProvider.write(this.opts.modelPath, this.m);
  }

  embedOne(text: string): Float32Array {
    const m = this.m;
    if (!m) throw new Error('the built-in embedding model is not trained yet (run `dailypapers index rebuild`)');
    const out = new Float32Array(m.k);
    for (const [t, c] of termCounts(text)) {
      const j = m.vocab.get(t);
      if (j === undefined) continue;
      const w = (1 + Math.log(c)) * m.idf[j];
      const o = j * m.k;
      for (let d = 0; d < m.k; d++) out[d] += w * m.V[o + d];
    }
    return normalise(out);
  }

  /**
   * For each stemmed term, its `count` nearest terms in the model's vocabulary with their cosine,
   * most similar first (empty when out of vocabulary), by an exact SIMD scan of the term vectors:
   * about 0.3 ms a term at 10k terms, 0.8 ms at the scan cap. For the reranker's soft matching;
   * cached, since query words repeat.
   */
  termNeighbours(stems: string[], count = NEIGHBOURS): Map<string, number>[] {
    const m = this.m;
    const out = stems.map((t) => this.neighbourCache.get(t) ?? new Map<string, number>());
    if (!m) return out;
    const todo = [...new Set(stems.filter((t) => !this.neighbourCache.has(t) && m.vocab.has(t)))];
    if (todo.length) {
      const T = this.termMatrix(m);
      const Q = new Float32Array(todo.length * m.k);
      todo.forEach((t, i) => Q.set(T.subarray(m.vocab.get(t)! * m.k, (m.vocab.get(t)! + 1) * m.k), i * m.k));
      const scan = Math.min(m.vocab.size, NEIGHBOUR_SCAN);
      const n = Math.min(count + 1, scan);
      const res = exactSearch(T.subarray(0, scan * m.k), Q, m.k, n, MetricKind.IP, 1) as { keys: BigUint64Array; distances: Float32Array; counts?: BigUint64Array };
      if (!this.vocabList) this.vocabList = [...m.vocab.keys()];
      todo.forEach((t, i) => {
        const nb = new Map<string, number>();
        const found = res.counts ? Number(res.counts[i]) : n;
        for (let r = 0; r < found; r++) {
          const u = this.vocabList![Number(res.keys[i * n + r])];
          if (u !== t) nb.set(u, 1 - res.distances[i * n + r]);
        }
        if (this.neighbourCache.size >= 20_000) this.neighbourCache.delete(this.neighbourCache.keys().next().value!);
        this.neighbourCache.set(t, nb);
      });
    }
    return stems.map((t) => this.neighbourCache.get(t) ?? new Map<string, number>());
  }

  /** Unit term vectors V Σ^TERM_SV_POWER, row-major, built on first use. */
  private termMatrix(m: LsaModel): Float32Array {
    if (!this.terms) {
      const T = new Float32Array(m.V.length);
      const scale = Float32Array.from(m.sv, (x) => x ** TERM_SV_POWER);
      for (let r = 0; r < m.vocab.size; r++) {
        const o = r * m.k;
        let n = 0;
        for (let d = 0; d < m.k; d++) n += (T[o + d] = m.V[o + d] * scale[d]) ** 2;
        n = Math.sqrt(n) || 1;
        for (let d = 0; d < m.k; d++) T[o + d] /= n;
      }
      this.terms = T;
    }
    return this.terms;
  }

  async embed(texts: string[]): Promise<Float32Array[]> {
    return texts.map((t) => this.embedOne(t));
  }

  /** Models trained for other settings are not interchangeable: where to store this one's (PostgreSQL). */
  get storageKey(): string {
    return `builtin.model.${this.k}d`;
  }

  /** The trained model as bytes (null when untrained): PostgreSQL keeps it in the database, having no file beside it. */
  toBuffer(): Buffer | null {
    return this.m ? LsaProvider.encode(this.m) : null;
  }

  /** Adopts a model another process trained and stored. */
  loadBuffer(buf: Uint8Array): void {
    this.m = LsaProvider.decode(Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength));
    this.terms = null;
    this.vocabList = null;
    this.neighbourCache.clear();
  }

  private static encode(m: LsaModel): Buffer {
    const header = Buffer.from(JSON.stringify({ magic: MAGIC, id: m.id, k: m.k, corpusSize: m.corpusSize, vocab: [...m.vocab.keys()] }));
    const len = Buffer.alloc(4);
    len.writeUInt32LE(header.length);
    return Buffer.concat([len, header, Buffer.from(m.idf.buffer, m.idf.byteOffset, m.idf.byteLength), Buffer.from(m.V.buffer, m.V.byteOffset, m.V.byteLength), Buffer.from(m.sv.buffer, m.sv.byteOffset, m.sv.byteLength)]);
  }

  private static write(file: string, m: LsaModel): void {
    const tmp = `${file}.tmp`;
    fs.writeFileSync(tmp, LsaProvider.encode(m));
    fs.renameSync(tmp, file);
  }

  private static read(file: string): LsaModel {
    return LsaProvider.decode(fs.readFileSync(file));
  }

  private static decode(buf: Buffer): LsaModel {
    const hl = buf.readUInt32LE(0);
    const h = JSON.parse(buf.subarray(4, 4 + hl).toString('utf8'));
    if (h.magic !== MAGIC) throw new Error('not a model file');
    const nv = h.vocab.length;
    const body = buf.subarray(4 + hl);
    const copy = new Float32Array(new Uint8Array(body).buffer); // aligned copy
    return { id: h.id, k: h.k, corpusSize: h.corpusSize, vocab: new Map<string, number>(h.vocab.map((t: string, j: number) => [t, j])), idf: copy.subarray(0, nv), V: copy.subarray(nv, nv + nv * h.k), sv: copy.subarray(nv + nv * h.k, nv + nv * h.k + h.k) };
  }
}
