/**
 * One interface for every source of vectors: the built-in corpus-trained model, a local ONNX
 * sentence-transformer, or an OpenAI-compatible HTTP endpoint. `name` + `model` identify the
 * vector space: the vector index records them and rebuilds when they change, so vectors from
 * two models are never mixed.
 */
export interface EmbeddingProvider {
  readonly name: string;
  readonly model: string;
  readonly dimensions: number;
  /** Unit-length vectors, one per text. `kind` lets asymmetric models prefix queries. */
  embed(texts: string[], kind?: 'query' | 'document'): Promise<Float32Array[]>;
}

/** A provider that learns its model from the indexed papers themselves (the built-in one). */
export interface TrainableProvider extends EmbeddingProvider {
  /** True when no model exists yet, or the corpus has outgrown the one that does. */
  needsTraining(corpusSize: number): boolean;
  /** Trains on (a sample of) the corpus; changes `model`, so every vector must be rebuilt. */
  train(docs: () => Iterable<string>, corpusSize: number, onProgress?: (msg: string) => void): Promise<void>;
}

export function isTrainable(p: EmbeddingProvider): p is TrainableProvider {
  return typeof (p as TrainableProvider).train === 'function';
}

export class ProviderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProviderError';
  }
}

export function normalise(v: Float32Array): Float32Array {
  let n = 0;
  for (let i = 0; i < v.length; i++) n += v[i] * v[i];
  n = Math.sqrt(n);
  if (n > 0) for (let i = 0; i < v.length; i++) v[i] /= n;
  return v;
}

/** The text a paper is embedded from. Title first: short models truncate the tail. */
export function paperText(title: string, abstract: string): string {
  return abstract ? `${title}. ${abstract}` : title;
}
