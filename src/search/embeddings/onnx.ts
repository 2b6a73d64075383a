import fs from 'node:fs';
import path from 'node:path';
import { normalise, ProviderError, type EmbeddingProvider } from './provider.ts';

/**
 * A local sentence-transformer exported to ONNX (e.g. `Xenova/bge-small-en-v1.5` downloaded by the
 * user), run by `@huggingface/transformers`. That package is an optional dependency: it is loaded
 * only when this provider is chosen, with a clear message when it is missing. Remote model loading
 * is off unless `allowRemote` is set, so the server never reaches out to a model hub by itself.
 */
export interface OnnxOptions {
  /** A directory holding `config.json`, `tokenizer.json` and `onnx/model*.onnx`, or (with allowRemote) a hub id. */
  model: string;
  allowRemote?: boolean;
  /** `fp32`, `q8`, ... as exported; default lets the library pick. */
  dtype?: string;
  pooling?: 'mean' | 'cls';
  queryPrefix?: string;
  documentPrefix?: string;
  batchSize?: number;
}

type Extractor = (texts: string[], opts: { pooling: string; normalize: boolean }) => Promise<{ data: Float32Array; dims: number[] }>;

const PACKAGE = '@huggingface/transformers';

export class OnnxProvider implements EmbeddingProvider {
  readonly name = 'onnx';
  readonly model: string;
  private dims = 0;
  private extractor: Extractor | null = null;

  constructor(private readonly opts: OnnxOptions) {
    this.model = opts.allowRemote ? opts.model : path.basename(path.resolve(opts.model));
  }

  get dimensions(): number {
    return this.dims;
  }

  /** Loads the model and learns its output size. */
  async load(): Promise<void> {
    if (this.extractor) return;
    const local = !this.opts.allowRemote;
    const dir = path.resolve(this.opts.model);
    if (local && !fs.existsSync(path.join(dir, 'config.json'))) {
      throw new ProviderError(`ONNX model directory ${dir} has no config.json (expected a sentence-transformer exported for transformers.js)`);
    }
    let lib: any;
    try {
      lib = await import(PACKAGE);
    } catch {
      throw new ProviderError(`the onnx embedding provider needs the optional package ${PACKAGE}: run \`npm install ${PACKAGE}\``);
    }
    lib.env.allowRemoteModels = !local;
    lib.env.allowLocalModels = true;
    if (local) lib.env.localModelPath = path.dirname(dir) + path.sep;
    const id = local ? path.basename(dir) : this.opts.model;
    try {
      this.extractor = (await lib.pipeline('feature-extraction', id, { local_files_only: local, ...(this.opts.dtype ? { dtype: this.opts.dtype } : {}) })) as Extractor;
    } catch (err) {
      throw new ProviderError(`could not load ONNX model ${this.opts.model}: ${(err as Error).message}`);
    }
    const [probe] = await this.embed(['dimension probe']);
    this.dims = probe.length;
  }

  async embed(texts: string[], kind: 'query' | 'document' = 'document'): Promise<Float32Array[]> {
    if (!this.extractor) await this.load();
    const prefix = (kind === 'query' ? this.opts.queryPrefix : this.opts.documentPrefix) ?? '';
    const out: Float32Array[] = [];
    const size = this.opts.batchSize ?? 16;
    for (let i = 0; i < texts.length; i += size) {
      const batch = texts.slice(i, i + size).map((t) => prefix + (t || ' '));
      const res = await this.extractor!(batch, { pooling: this.opts.pooling ?? 'mean', normalize: true });
      const d = res.dims[res.dims.length - 1];
      for (let j = 0; j < batch.length; j++) out.push(normalise(Float32Array.from(res.data.subarray(j * d, (j + 1) * d))));
    }
    return out;
  }
}
