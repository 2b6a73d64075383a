import { z } from 'zod';
import { AppError } from '../../services/errors.ts';
import { isValidDay, isValidMonth, isValidWeek } from '../../domain/dates.ts';

/**
 * The API's contract, in zod: query schemas validate requests at the edge, response schemas type
 * the serializers (so the compiler holds them to the contract) and, via `z.toJSONSchema`, are the
 * OpenAPI document. Metadata lives in a private registry rather than zod's global one so that other
 * modules' schema ids cannot collide with ours; modules adding API routes may register here too.
 */
export interface ApiMeta {
  /** Component name under `#/components/schemas`; only top-level shapes get one. */
  id?: string;
  description?: string;
  example?: unknown;
}
export const apiSchemas = z.registry<ApiMeta>();

function doc<T extends z.ZodType>(schema: T, description: string, extra: Omit<ApiMeta, 'description'> = {}): T {
  apiSchemas.add(schema, { description, ...extra });
  return schema;
}

// ---------------------------------------------------------------------------------------------
// Query parameters. Every failure message names its parameter: clients see it in `detail`.

function intParam(name: string, min: number, max: number | null, def: number, description: string) {
  const msg = max === null ? `${name} must be an integer >= ${min}` : `${name} must be an integer between ${min} and ${max}`;
  let s = z.coerce.number({ error: msg }).int({ error: msg }).min(min, { error: msg });
  if (max !== null) s = s.max(max, { error: msg });
  return doc(s.default(def), description);
}

function periodParam(name: string, pattern: RegExp, valid: (s: string) => boolean, expected: string, description: string, example: string) {
  // The pattern documents the shape in OpenAPI; `valid` adds the calendar rules (no 2025-02-30).
  const error = (iss: { input?: unknown }) => `${name} must be ${expected} (got ${JSON.stringify(iss.input)})`;
  const schema = z.string().regex(pattern, { error }).refine(valid, { error }).optional();
  return doc(schema, description, { example });
}

const pageParam = intParam('p', 0, null, 0, 'Zero-based page number.');
const limitParam = intParam('limit', 1, 100, 50, 'Items per page (1-100).');

export const dailyPapersQuery = z.object({
  p: pageParam,
  limit: limitParam,
  date: periodParam('date', /^\d{4}-\d{2}-\d{2}$/, isValidDay, 'a calendar day YYYY-MM-DD', 'Papers featured on this day (UTC). At most one of date, week, month; none means the latest day with papers.', '2025-03-12'),
  week: periodParam('week', /^\d{4}-W\d{2}$/, isValidWeek, 'an ISO week YYYY-Www (W01-W52, or W53 in 53-week years)', 'Papers featured in this ISO-8601 week (Monday to Sunday).', '2025-W11'),
  month: periodParam('month', /^\d{4}-\d{2}$/, isValidMonth, 'a month YYYY-MM', 'Papers featured in this month.', '2025-03'),
  submitter: doc(
    z.string({ error: 'submitter must be a username' }).min(1).max(100, { error: 'submitter must be at most 100 characters' }).optional(),
    'Only papers submitted (or featured, for editors) by this username. Imported papers are attributed to the instance editor, whose name here is the slug of EDITOR_NAME.',
  ),
  sort: doc(
    z.enum(['publishedAt', 'trending'], { error: 'sort must be one of publishedAt, trending' }).optional(),
    'publishedAt: newest arXiv submission first; trending: by trending score (recent upvotes and comments, decayed by age; see /papers/trending), then upvotes. Default: the editorial order (position, upvotes, time featured).',
  ),
});
export type DailyPapersQuery = z.output<typeof dailyPapersQuery>;

export interface PaperCursorValue {
  publishedAt: string;
  id: string;
}

const cursorPayload = z.object({ publishedAt: z.string().min(1), id: z.string().min(1) });

/** Cursors are opaque to clients; inside, base64url JSON of the last row's sort key. */
export function encodeCursor(c: PaperCursorValue): string {
  return Buffer.from(JSON.stringify({ publishedAt: c.publishedAt, id: c.id })).toString('base64url');
}

function decodeCursor(s: string): PaperCursorValue | null {
  if (!/^[A-Za-z0-9_-]+$/.test(s)) return null;
  try {
    const r = cursorPayload.safeParse(JSON.parse(Buffer.from(s, 'base64url').toString('utf8')));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}

export const papersQuery = z.object({
  cursor: doc(
    z
      .string()
      .transform((s, ctx) => {
        const c = decodeCursor(s);
        if (!c) ctx.addIssue({ code: 'custom', message: 'cursor is not a valid cursor: pass back nextCursor from a previous response' });
        return c ?? z.NEVER;
      })
      .optional(),
    'Opaque cursor from a previous response\'s nextCursor; omit for the first page.',
  ),
  limit: limitParam,
});

/** Parses a query object; the first issue becomes a 400 naming its parameter. */
export function parseQuery<S extends z.ZodType>(schema: S, raw: Record<string, string>): z.output<S> {
  // An empty value (`?date=`) means "not given", as HTML forms and many clients send it.
  const cleaned = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== ''));
  const r = schema.safeParse(cleaned);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const param = issue.path.length > 0 ? String(issue.path[0]) : undefined;
  const message = param && !issue.message.includes(param) ? `${param}: ${issue.message}` : issue.message;
  throw AppError.badRequest(message, param);
}

// ---------------------------------------------------------------------------------------------
// Responses.

const isoDateTime = z.iso.datetime();

export const authorSchema = doc(
  z.object({
    _id: doc(z.string(), 'Stable 24-hex id derived from the paper id, position and name.'),
    name: z.string(),
    hidden: z.boolean(),
  }),
  'A paper author, in arXiv order.',
  { id: 'Author' },
);

export const userSchema = doc(
  z.object({
    _id: z.string(),
    name: doc(z.string(), 'Username; equal to `user`.'),
    user: z.string(),
    fullname: z.string(),
    avatarUrl: z.string(),
    type: z.literal('user'),
  }),
  'The user who submitted a paper to the daily feed.',
  { id: 'User' },
);

const paperCore = {
  id: doc(z.string(), 'arXiv id without version, e.g. 2503.11677 or math/9310227.'),
  authors: z.array(authorSchema),
  publishedAt: doc(isoDateTime, 'arXiv v1 submission time.'),
  title: z.string(),
  summary: doc(z.string(), 'The abstract.'),
  upvotes: z.number().int(),
  discussionId: z.string(),
  githubRepo: z.string().nullable(),
  projectPage: z.string().nullable(),
};

export const feedPaperSchema = doc(
  z.object({
    ...paperCore,
    submittedOnDailyAt: doc(isoDateTime, 'When the paper was featured.'),
    submittedOnDailyBy: userSchema,
  }),
  'The paper inside a daily-papers item (Hugging Face shape).',
  { id: 'FeedPaper' },
);

export const dailyPaperItemSchema = doc(
  z.object({
    paper: feedPaperSchema,
    publishedAt: doc(isoDateTime, 'When the paper was featured on the daily feed.'),
    title: z.string(),
    summary: z.string(),
    thumbnail: doc(z.string(), 'URL of an SVG card for the paper.'),
    numComments: z.number().int(),
    submittedBy: userSchema,
    isAuthorParticipating: z.boolean(),
  }),
  'One item of GET /api/daily_papers, compatible with Hugging Face.',
  { id: 'DailyPaperItem' },
);

export const paperDetailSchema = doc(
  z.object({
    ...paperCore,
    submittedOnDailyAt: doc(isoDateTime.nullable(), 'When the paper was featured; null if never.'),
    submittedOnDailyBy: userSchema.nullable(),
    numComments: z.number().int(),
    thumbnail: z.string(),
    // Beyond Hugging Face's shape:
    latestVersion: z.number().int().nullable(),
    categories: doc(z.array(z.string()), 'arXiv categories, primary first.'),
    comment: z.string().nullable(),
    journalRef: z.string().nullable(),
    doi: z.string().nullable(),
    updatedAt: doc(isoDateTime.nullable(), 'Latest arXiv version time.'),
    featuredDay: doc(z.string().nullable(), 'The feed day (YYYY-MM-DD) the paper was featured on; null if never.'),
    arxivUrl: z.string(),
    pdfUrl: z.string(),
  }),
  'A paper (GET /api/papers/{id}), Hugging Face fields plus arXiv metadata.',
  { id: 'Paper' },
);

export const paperListSchema = doc(
  z.object({
    papers: z.array(paperDetailSchema),
    nextCursor: doc(z.string().nullable(), 'Pass as `cursor` for the next page; null on the last page.'),
  }),
  'A page of all indexed papers, newest first.',
  { id: 'PaperList' },
);

export const problemSchema = doc(
  z.looseObject({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: doc(z.string(), 'What went wrong; names the parameter at fault.'),
    instance: z.string(),
    param: doc(z.string().optional(), 'The request parameter at fault, for 400s.'),
  }),
  'RFC 9457 problem details (media type application/problem+json).',
  { id: 'Problem' },
);

export type Author = z.output<typeof authorSchema>;
export type ApiUser = z.output<typeof userSchema>;
export type DailyPaperItem = z.output<typeof dailyPaperItemSchema>;
export type PaperDetail = z.output<typeof paperDetailSchema>;
export type PaperList = z.output<typeof paperListSchema>;
