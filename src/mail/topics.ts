/**
 * Topics are saved searches in the search box's syntax: words, "quoted phrases" and `cat:` filters,
 * e.g. `"KV cache" compression` or `cat:cs.CL retrieval`. This module validates them (for the
 * subscription forms and API) and splits them into terms (for the fallback matcher).
 */
export const MAX_TOPICS = 10;
export const MAX_TOPIC_LENGTH = 200;

export interface TopicTerms {
  /** Words and phrases, lower-cased; every one must occur in the title or abstract. */
  phrases: string[];
  /** arXiv categories (`cs.CL`); the paper must carry every one. */
  categories: string[];
}

const CATEGORY_RE = /^[a-z][a-z-]*(\.[A-Za-z-]+)?$/;
const TOKEN_RE = /"([^"]*)"|(\S+)/g;

export function parseTopic(topic: string): TopicTerms {
  const phrases: string[] = [];
  const categories: string[] = [];
  for (const m of topic.matchAll(TOKEN_RE)) {
    if (m[1] !== undefined) {
      const p = m[1].trim().replace(/\s+/g, ' ').toLowerCase();
      if (p) phrases.push(p);
      continue;
    }
    const word = m[2];
    const cat = /^cat:(.+)$/i.exec(word);
    if (cat) categories.push(cat[1]);
    else phrases.push(word.replace(/^"+|"+$/g, '').toLowerCase());
  }
  return { phrases: phrases.filter(Boolean), categories };
}

/** Why a topic is unusable, or null when it is fine. */
export function topicProblem(topic: string): string | null {
  if (topic.length > MAX_TOPIC_LENGTH) return `Topics must be at most ${MAX_TOPIC_LENGTH} characters`;
  if (/[\x00-\x1f\x7f]/.test(topic)) return 'Topics must not contain control characters';
  const t = parseTopic(topic);
  if (t.phrases.length === 0 && t.categories.length === 0) return `Topic "${topic}" has no search terms`;
  const bad = t.categories.find((c) => !CATEGORY_RE.test(c));
  if (bad) return `"cat:${bad}" is not an arXiv category such as cs.CL`;
  return null;
}

/** A stable spelling for deduplication: collapsed spaces. */
export function normaliseTopic(topic: string): string {
  return topic.trim().replace(/\s+/g, ' ');
}
