import { z } from 'zod';
import type { Config } from '../../config.ts';
import {
  apiSchemas, dailyPaperItemSchema, dailyPapersQuery, paperDetailSchema, paperListSchema, papersQuery, problemSchema,
} from './schemas.ts';
import { commentPaths } from './comment-schemas.ts';
import { searchPaths } from './search-schemas.ts';

/**
 * The OpenAPI 3.1 document, generated from the same zod schemas that validate requests and type
 * responses, so the document cannot drift from the code. OpenAPI 3.1 schemas are JSON Schema
 * 2020-12, which is zod's default target. Components come from every schema registered in
 * `apiSchemas` with an `id`; paths refer to them by schema object, never by hand-written name.
 */
type Json = Record<string, unknown>;

const COMPONENTS = '#/components/schemas/';

function ref(schema: z.ZodType): Json {
  const id = apiSchemas.get(schema)?.id;
  if (!id) throw new Error('schema has no component id in apiSchemas');
  return { $ref: `${COMPONENTS}${id}` };
}

function stripDialect(s: Json): Json {
  const { $schema: _s, $id: _i, ...rest } = s;
  return rest;
}

function componentSchemas(): Record<string, Json> {
  const { schemas } = z.toJSONSchema(apiSchemas, { metadata: apiSchemas, uri: (id) => `${COMPONENTS}${id}`, io: 'output', unrepresentable: 'any' });
  return Object.fromEntries(Object.entries(schemas).map(([k, v]) => [k, stripDialect(v as Json)]));
}

/** One OpenAPI parameter per field of a zod query object; descriptions come from the registry. */
function queryParameters(schema: z.ZodObject): Json[] {
  return Object.entries(schema.shape).map(([name, field]) => {
    const f = field as z.ZodType;
    // io: 'input' describes what clients send (a string cursor, not the decoded value).
    const { description, example, ...js } = stripDialect(z.toJSONSchema(f, { io: 'input', metadata: apiSchemas, unrepresentable: 'any' }) as Json);
    return {
      name,
      in: 'query',
      required: !f.safeParse(undefined).success,
      ...(description ? { description } : {}),
      ...(example !== undefined ? { example } : {}),
      schema: js,
    };
  });
}

const problemResponse = (description: string): Json => ({ description, content: { 'application/problem+json': { schema: ref(problemSchema) } } });

const linkHeader = { description: 'RFC 8288 links to the `next` (and for /api/daily_papers `prev`) page, when there is one.', schema: { type: 'string' } };

const idParam: Json = {
  name: 'id',
  in: 'path',
  required: true,
  description: 'arXiv id, optionally versioned (2503.11677v2 resolves to 2503.11677). Old-style ids contain a slash, sent unescaped: /api/papers/math/9310227.',
  schema: { type: 'string' },
  example: '2503.11677',
};

export function buildOpenApi(config: Config): Json {
  return {
    openapi: '3.1.0',
    info: {
      title: `${config.siteName} API`,
      version: '1.0.0',
      description: 'Daily curated arXiv papers. GET /api/daily_papers is compatible with the Hugging Face Daily Papers API. Errors are RFC 9457 problem documents.',
    },
    servers: [{ url: config.baseUrl }],
    paths: {
      '/api/daily_papers': {
        get: {
          operationId: 'listDailyPapers',
          summary: 'Papers featured on a day, week or month (default: the latest day with papers)',
          parameters: queryParameters(dailyPapersQuery),
          responses: {
            200: {
              description: 'Featured papers, one page.',
              headers: { Link: linkHeader, 'X-Total-Count': { description: 'Items across all pages.', schema: { type: 'integer' } } },
              content: { 'application/json': { schema: { type: 'array', items: ref(dailyPaperItemSchema) } } },
            },
            400: problemResponse('A parameter is invalid; `detail` and `param` name it.'),
          },
        },
      },
      '/api/papers': {
        get: {
          operationId: 'listPapers',
          summary: 'All indexed papers, newest arXiv submission first, cursor-paginated',
          parameters: queryParameters(papersQuery),
          responses: {
            200: { description: 'One page of papers.', headers: { Link: linkHeader }, content: { 'application/json': { schema: ref(paperListSchema) } } },
            400: problemResponse('A parameter is invalid; `detail` and `param` name it.'),
          },
        },
      },
      '/api/papers/{id}': {
        get: {
          operationId: 'getPaper',
          summary: 'One paper',
          parameters: [idParam],
          responses: {
            200: { description: 'The paper.', content: { 'application/json': { schema: ref(paperDetailSchema) } } },
            404: problemResponse('Not an arXiv id, or not indexed here.'),
          },
        },
      },
      '/api/papers/{id}/thumbnail.svg': {
        get: {
          operationId: 'getPaperThumbnail',
          summary: 'An SVG card with the paper title (the `thumbnail` of feed items)',
          parameters: [idParam],
          responses: {
            200: { description: 'SVG image, 1200x630.', content: { 'image/svg+xml': { schema: { type: 'string' } } } },
            404: problemResponse('Not an arXiv id, or not indexed here.'),
          },
        },
      },
      '/avatars/{name}.svg': {
        get: {
          operationId: 'getAvatar',
          summary: 'An initials avatar for a username',
          parameters: [{ name: 'name', in: 'path', required: true, description: 'Username.', schema: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,100}$' } }],
          responses: { 200: { description: 'SVG image, 128x128.', content: { 'image/svg+xml': { schema: { type: 'string' } } } } },
        },
      },
      ...commentPaths(ref, problemResponse, idParam),
      ...searchPaths(ref, problemResponse, queryParameters),
      '/openapi.json': {
        get: {
          operationId: 'getOpenApi',
          summary: 'This document',
          responses: { 200: { description: 'OpenAPI 3.1 document.', content: { 'application/json': { schema: { type: 'object' } } } } },
        },
      },
    },
    components: { schemas: componentSchemas() },
  };
}
