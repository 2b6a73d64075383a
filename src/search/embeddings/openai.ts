import { normalise, ProviderError, type EmbeddingProvider } from './provider.ts';

/**
 * Any OpenAI-compatible `POST /v1/embeddings` endpoint: OpenAI, Ollama, TEI, vLLM, LM Studio.
 * `dimensions` is learned from the first response (or given), and every failure names the URL
 * and what went wrong, because "fetch failed" tells an operator nothing.
 */
export interface OpenAiOptions {
  /** Base URL, e.g. `http://localhost:11434/v1` or `https://api.openai.com/v1`. */
  baseUrl: string;
  model: string;
  apiKey?: string;
  dimensions?: number;
  /** Texts per request. */
  batchSize?: number;
  timeoutMs?: number;
  /** Prefixes for asymmetric models (e.g. `query: ` / `passage: ` for E5). */
  queryPrefix?: string;
  documentPrefix?: string;
}

export class OpenAiProvider implements EmbeddingProvider {
  readonly name = 'openai';
  readonly model: string;
  private dims: number;
  private readonly url: string;

  constructor(private readonly opts: OpenAiOptions) {
    this.model = opts.model;
    this.dims = opts.dimensions ?? 0;
    const base = opts.baseUrl.replace(/\/+$/, '');
    this.url = /\/embeddings$/.test(base) ? base : /\/v1$/.test(base) ? `${base}/embeddings` : `${base}/v1/embeddings`;
  }

  get dimensions(): number {
    return this.dims;
  }

  /** Asks the endpoint once so that `dimensions` is known before an index is created. */
  async probe(): Promise<void> {
    if (!this.dims) await this.embed(['dimension probe']);
  }

  async embed(texts: string[], kind: 'query' | 'document' = 'document'): Promise<Float32Array[]> {
    const prefix = (kind === 'query' ? this.opts.queryPrefix : this.opts.documentPrefix) ?? '';
    const out: Float32Array[] = [];
    const size = this.opts.batchSize ?? 64;
    for (let i = 0; i < texts.length; i += size) {
      const batch = texts.slice(i, i + size).map((t) => prefix + (t || ' '));
      out.push(...(await this.request(batch)));
    }
    return out;
  }

  private async request(input: string[]): Promise<Float32Array[]> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.opts.apiKey) headers.authorization = `Bearer ${this.opts.apiKey}`;
    let res: Response;
    try {
      res = await fetch(this.url, {
        method: 'POST',
        headers,
        body: JSON.stringify({ model: this.model, input, encoding_format: 'float' }),
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 60_000),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
      throw new ProviderError(`embedding endpoint ${this.url} is unreachable (${cause}): is the server running?`);
    }
    const body = await res.text();
    if (!res.ok) throw new ProviderError(`embedding endpoint ${this.url} answered ${res.status}: ${body.slice(0, 300)}`);
    let json: { data?: { embedding?: number[]; index?: number }[] };
    try {
      json = JSON.parse(body);
    } catch {
      throw new ProviderError(`embedding endpoint ${this.url} returned invalid JSON`);
    }
    const data = json.data;
    if (!Array.isArray(data) || data.length !== input.length) throw new ProviderError(`embedding endpoint ${this.url} returned ${Array.isArray(data) ? data.length : 'no'} embeddings for ${input.length} inputs`);
    const sorted = [...data].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
    return sorted.map((d) => {
      const e = d.embedding;
      if (!Array.isArray(e) || !e.length) throw new ProviderError(`embedding endpoint ${this.url} returned an empty embedding`);
      if (!this.dims) this.dims = e.length;
      if (e.length !== this.dims) throw new ProviderError(`embedding endpoint ${this.url} returned ${e.length} dimensions, expected ${this.dims}`);
      return normalise(Float32Array.from(e));
    });
  }
}
