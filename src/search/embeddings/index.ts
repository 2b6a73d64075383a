import { LsaProvider } from './lsa.ts';
import { OnnxProvider } from './onnx.ts';
import { OpenAiProvider } from './openai.ts';
import { ProviderError, type EmbeddingProvider } from './provider.ts';

export { LsaProvider, OnnxProvider, OpenAiProvider, ProviderError };
export type { EmbeddingProvider };

/**
 * Provider specs, as given to `--provider` or `SEARCH_PROVIDER`:
 * - `builtin` (default): corpus-trained LSA, downloads nothing;
 * - `none`: keyword search only;
 * - `onnx:<dir>`: a local sentence-transformer directory (optional `@huggingface/transformers`);
 * - `openai:<base-url>#<model>`: an OpenAI-compatible `/v1/embeddings` endpoint
 *   (key from `SEARCH_OPENAI_KEY` or `OPENAI_API_KEY`).
 */
export interface ProviderContext {
  /** Where the built-in model is saved (null: in memory). */
  modelPath: string | null;
  env?: NodeJS.ProcessEnv;
}

export async function createProvider(spec: string, ctx: ProviderContext): Promise<EmbeddingProvider | null> {
  const env = ctx.env ?? {};
  const s = spec.trim();
  if (s === '' || s === 'builtin' || s === 'lsa') return new LsaProvider({ modelPath: ctx.modelPath });
  if (s === 'none' || s === 'off') return null;
  if (s.startsWith('onnx:')) {
    const p = new OnnxProvider({
      model: s.slice(5),
      allowRemote: env.SEARCH_ONNX_ALLOW_REMOTE === '1',
      queryPrefix: env.SEARCH_QUERY_PREFIX,
      documentPrefix: env.SEARCH_DOCUMENT_PREFIX,
    });
    await p.load();
    return p;
  }
  if (s.startsWith('openai:')) {
    const rest = s.slice(7);
    const hash = rest.lastIndexOf('#');
    if (hash < 0) throw new ProviderError('openai provider spec must be openai:<base-url>#<model>');
    const p = new OpenAiProvider({
      baseUrl: rest.slice(0, hash),
      model: rest.slice(hash + 1),
      apiKey: env.SEARCH_OPENAI_KEY ?? env.OPENAI_API_KEY,
      queryPrefix: env.SEARCH_QUERY_PREFIX,
      documentPrefix: env.SEARCH_DOCUMENT_PREFIX,
    });
    await p.probe();
    return p;
  }
  throw new ProviderError(`unknown embedding provider "${spec}" (use builtin, none, onnx:<dir> or openai:<url>#<model>)`);
}

export async function providerFromEnv(env: NodeJS.ProcessEnv, modelPath: string | null): Promise<EmbeddingProvider | null> {
  return createProvider(env.SEARCH_PROVIDER ?? 'builtin', { modelPath, env });
}
