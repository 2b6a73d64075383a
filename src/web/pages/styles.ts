/**
 * The whole site's CSS, inlined into every page (no build step, no extra request). Colours are
 * CSS variables so that dark mode is one override block. Cards follow the Hugging Face daily
 * papers look: white cards with a subtle border and an upvote box on the left.
 */
export const CSS = `
:root {
  --bg: #f9fafb;
  --card: #ffffff;
  --text: #111827;
  --muted: #4b5563;
  --faint: #636a77; /* 4.5:1 even on --chip (code in hints) */
  --border: #e5e7eb;
  --border-strong: #d1d5db;
  --accent: #2563eb;
  --accent-text: #1d4ed8;
  --accent-soft: #eff6ff;
  --on-accent: #ffffff;
  --chip: #f3f4f6;
  --chip-primary: #fef3c7;
  --chip-primary-text: #92400e;
  --vote: #f9fafb;
  --focus: #f59e0b;
  --danger: #b91c1c;
  --chart-votes: #2563eb;
  --chart-comments: #d97706;
  --chart-freshness: #059669;
  --radius: 12px;
  --shadow: 0 1px 2px rgba(0, 0, 0, 0.04);
  color-scheme: light dark;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0b0f19;
    --card: #111827;
    --text: #f3f4f6;
    --muted: #d1d5db;
    --faint: #9ca3af;
    --border: #1f2937;
    --border-strong: #374151;
    --accent: #60a5fa;
    --accent-text: #93c5fd;
    --accent-soft: #172554;
    /* Dark text on the light dark-mode accent: white on #60a5fa is 2.5:1. */
    --on-accent: #0b0f19;
    --chip: #1f2937;
    --chip-primary: #422006;
    --chip-primary-text: #fcd34d;
    --vote: #0f172a;
    --focus: #fbbf24;
    --danger: #f87171;
    --chart-votes: #60a5fa;
    --chart-comments: #fbbf24;
    --chart-freshness: #34d399;
    --shadow: none;
  }
}
*, *::before, *::after { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0;
  background: var(--bg);
  color: var(--text);
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif;
  font-size: 16px;
  line-height: 1.5;
  overflow-wrap: break-word;
}
a { color: var(--accent-text); text-decoration: none; }
a:hover { text-decoration: underline; }
/* Links inside running text are underlined: colour alone does not tell them apart (WCAG 1.4.1). */
:where(p, dd, figcaption, td, .comment-body) a:where(:not(.button, .vote)) { text-decoration: underline; text-underline-offset: 0.15em; text-decoration-thickness: 1px; }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; border-radius: 4px; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.9em; }
code { background: var(--chip); padding: 0.1em 0.35em; border-radius: 4px; }
pre { background: var(--chip); padding: 0.75rem 1rem; border-radius: 8px; overflow-x: auto; }
pre code { background: none; padding: 0; }
.visually-hidden {
  position: absolute !important; width: 1px; height: 1px; padding: 0; margin: -1px;
  overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0;
}
.skip-link {
  position: absolute; left: 0.5rem; top: -3rem; z-index: 10;
  background: var(--card); color: var(--text); padding: 0.5rem 1rem;
  border: 2px solid var(--focus); border-radius: 8px;
}
.skip-link:focus { top: 0.5rem; }
.wrap { max-width: 72rem; margin: 0 auto; padding: 0 1rem; }

/* Header */
.site-header { background: var(--card); border-bottom: 1px solid var(--border); }
.header-inner { display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between; gap: 0.75rem 1.5rem; padding-top: 1rem; padding-bottom: 1rem; }
.brand { min-width: 0; }
.site-title { margin: 0; font-size: 1.75rem; font-weight: 800; letter-spacing: -0.02em; line-height: 1.2; }
.site-title a { color: var(--text); text-decoration: none; }
.tagline { margin: 0.15rem 0 0; color: var(--muted); font-size: 0.95rem; }
.header-tools { display: flex; flex-wrap: wrap; align-items: center; gap: 0.75rem; }
.cta { display: flex; align-items: center; gap: 0.5rem; font-size: 0.9rem; color: var(--muted); }
.button, .cta a {
  display: inline-block; padding: 0.35rem 0.85rem; border-radius: 999px;
  background: var(--accent-soft); color: var(--accent-text); font-weight: 600; border: 1px solid var(--border-strong);
}
.cta a, .cta a:hover, .button:hover { text-decoration: none; }
.cta a:hover, .button:hover { border-color: var(--accent); }
.search { display: flex; gap: 0.35rem; }
.search input {
  font: inherit; font-size: 0.95rem; padding: 0.35rem 0.75rem; min-width: 0; width: 14rem;
  border: 1px solid var(--border-strong); border-radius: 999px; background: var(--bg); color: var(--text);
}
.search button {
  font: inherit; font-size: 0.95rem; padding: 0.35rem 0.85rem; border-radius: 999px; cursor: pointer;
  border: 1px solid var(--border-strong); background: var(--card); color: var(--text);
}

/* Main */
main { padding: 1.5rem 0 3rem; }
.page-head { display: flex; flex-wrap: wrap; align-items: baseline; justify-content: space-between; gap: 0.5rem 1rem; margin-bottom: 1rem; }
.page-head h1 { margin: 0; font-size: 1.9rem; letter-spacing: -0.02em; line-height: 1.2; }
.page-sub { margin: 0.25rem 0 0; color: var(--faint); }
.toolbar { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem 1rem; margin-bottom: 1.25rem; }
.segmented { display: inline-flex; border: 1px solid var(--border-strong); border-radius: 999px; overflow: hidden; background: var(--card); }
.segmented a { padding: 0.3rem 0.9rem; color: var(--muted); font-size: 0.9rem; font-weight: 600; }
.segmented a + a { border-left: 1px solid var(--border-strong); }
.segmented a[aria-current="page"] { background: var(--text); color: var(--card); }
.period-nav { display: flex; gap: 0.5rem; margin-left: auto; }
.period-nav a, .period-nav span, .pager a, .pager span {
  display: inline-block; padding: 0.3rem 0.8rem; border: 1px solid var(--border-strong); border-radius: 8px;
  background: var(--card); font-size: 0.9rem;
}
/* Dashed, not faded: faded text fails contrast, and the dashes still say "nothing there". */
.period-nav span, .pager span.disabled { color: var(--faint); border-style: dashed; }
.days { margin: 0 0 1.5rem; padding: 0; list-style: none; display: flex; flex-wrap: wrap; gap: 0.4rem; }
.days a { display: inline-block; padding: 0.25rem 0.6rem; border: 1px solid var(--border); border-radius: 8px; background: var(--card); font-size: 0.85rem; }
.days .n { color: var(--faint); margin-left: 0.3rem; }

/* Cards */
/* minmax(0, 1fr), not 1fr: a long unbreakable word in one card must not widen the column past a phone's screen. */
.cards { display: grid; grid-template-columns: minmax(0, 1fr); gap: 1rem; margin: 0; padding: 0; list-style: none; }
@media (min-width: 60rem) { .cards { grid-template-columns: repeat(2, minmax(0, 1fr)); } }
.card {
  display: flex; gap: 0.9rem; align-items: flex-start; padding: 1rem;
  background: var(--card); border: 1px solid var(--border); border-radius: var(--radius); box-shadow: var(--shadow);
  min-width: 0; height: 100%;
}
.vote {
  flex: none; display: flex; flex-direction: column; align-items: center; justify-content: center;
  width: 3rem; padding: 0.4rem 0; margin: 0; border: 1px solid var(--border-strong); border-radius: 10px;
  background: var(--vote); color: var(--muted); font-size: 0.8rem; line-height: 1.2;
}
.vote .n { font-weight: 700; font-size: 1rem; color: var(--text); }
.card-body { min-width: 0; flex: 1; }
.card-title { margin: 0 0 0.3rem; font-size: 1.1rem; line-height: 1.35; }
.card-title a { color: var(--text); }
.meta { margin: 0 0 0.4rem; color: var(--faint); font-size: 0.85rem; }
.authors { margin: 0 0 0.5rem; color: var(--muted); font-size: 0.9rem; }
details.more-authors { display: inline; }
details.more-authors > summary { display: inline; cursor: pointer; color: var(--accent-text); list-style: none; }
details.more-authors > summary::-webkit-details-marker { display: none; }
details.more-authors[open] .when-closed, details.more-authors:not([open]) .when-open { display: none; }
.abstract-text { margin: 0 0 0.5rem; color: var(--muted); font-size: 0.92rem; }
details.abstract { margin: 0 0 0.5rem; }
details.abstract > summary { list-style: none; cursor: pointer; color: var(--muted); font-size: 0.92rem; }
details.abstract > summary::-webkit-details-marker { display: none; }
details.abstract > summary .clamp {
  display: -webkit-box; -webkit-box-orient: vertical; -webkit-line-clamp: 3; line-clamp: 3; overflow: hidden;
}
details.abstract[open] > summary .clamp { display: block; -webkit-line-clamp: unset; line-clamp: none; overflow: visible; }
details.abstract > summary .toggle { display: inline-block; margin-top: 0.15rem; color: var(--accent-text); font-size: 0.85rem; font-weight: 600; }
details.abstract[open] .when-closed, details.abstract:not([open]) .when-open { display: none; }
.chips { display: flex; flex-wrap: wrap; gap: 0.3rem; margin: 0 0 0.6rem; padding: 0; list-style: none; }
.chip { padding: 0.05rem 0.5rem; border-radius: 6px; background: var(--chip); color: var(--muted); font-size: 0.78rem; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.chip.primary { background: var(--chip-primary); color: var(--chip-primary-text); font-weight: 600; }
.links { display: flex; flex-wrap: wrap; gap: 0.35rem 0.9rem; margin: 0; padding: 0; list-style: none; font-size: 0.88rem; }
.links a { font-weight: 600; }

/* Pager, notices */
.pager { display: flex; flex-wrap: wrap; align-items: center; justify-content: center; gap: 0.75rem; margin: 2rem 0 0; }
.pager .where { border: none; background: none; color: var(--faint); }
.notice {
  padding: 1.5rem; border: 1px dashed var(--border-strong); border-radius: var(--radius); background: var(--card);
}
.notice h2 { margin-top: 0; }
.error-code { margin: 0; font-size: 0.95rem; font-weight: 700; color: var(--danger); letter-spacing: 0.05em; }

/* Paper page */
.paper { background: var(--card); border: 1px solid var(--border); border-radius: var(--radius); padding: 1.5rem; box-shadow: var(--shadow); }
.paper h1 { margin: 0 0 0.75rem; font-size: 1.75rem; line-height: 1.25; letter-spacing: -0.01em; }
.paper .authors { font-size: 1rem; }
.paper-top { display: flex; gap: 1rem; align-items: flex-start; }
.paper h2 { font-size: 1.15rem; margin: 1.5rem 0 0.5rem; }
.paper .abstract-full { color: var(--text); font-size: 1rem; white-space: pre-line; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.3rem 1rem; margin: 1rem 0; font-size: 0.92rem; }
.facts dt { color: var(--faint); }
.facts dd { margin: 0; }

/* Footer */
.site-footer { border-top: 1px solid var(--border); color: var(--faint); font-size: 0.88rem; }
.site-footer .wrap { display: flex; flex-wrap: wrap; justify-content: space-between; gap: 0.5rem 1.5rem; padding-top: 1.25rem; padding-bottom: 1.25rem; }
.site-footer p { margin: 0; }
.site-footer ul { display: flex; gap: 1rem; margin: 0; padding: 0; list-style: none; }

/* Accounts: header nav, auth forms, profile, settings */
.site-nav { flex-basis: 100%; }
.site-nav ul { display: flex; flex-wrap: wrap; align-items: center; gap: 0.4rem 1.1rem; margin: 0; padding: 0; list-style: none; font-size: 0.92rem; font-weight: 600; }
.site-nav .push { margin-left: auto; }
.inline-form { display: inline; margin: 0; }
.link-button { font: inherit; font-weight: 600; padding: 0; border: none; background: none; color: var(--accent-text); cursor: pointer; }
.link-button:hover { text-decoration: underline; }
.auth-card { max-width: 26rem; margin: 0 auto; padding: 1.5rem; background: var(--card); border: 1px solid var(--border); border-radius: var(--radius); box-shadow: var(--shadow); }
.auth-card h1 { margin: 0 0 1rem; font-size: 1.6rem; }
.stack-form { display: grid; gap: 0.35rem; margin: 0 0 1rem; }
.stack-form label { font-weight: 600; font-size: 0.92rem; margin-top: 0.5rem; }
.stack-form input, .row-form input {
  font: inherit; padding: 0.45rem 0.7rem; border: 1px solid var(--border-strong); border-radius: 8px; background: var(--bg); color: var(--text);
}
.stack-form input[aria-invalid="true"] { border-color: var(--danger); }
.stack-form button, .row-form button, .danger-button {
  font: inherit; font-weight: 600; padding: 0.45rem 1rem; border-radius: 8px; cursor: pointer;
  border: 1px solid var(--accent); background: var(--accent); color: var(--on-accent);
}
.stack-form button { margin-top: 0.9rem; }
.danger-button { padding: 0.2rem 0.7rem; font-size: 0.85rem; border-color: var(--danger); background: none; color: var(--danger); }
.hint { margin: 0; color: var(--faint); font-size: 0.82rem; }
.form-error { margin: 0 0 0.75rem; padding: 0.6rem 0.8rem; border: 1px solid var(--danger); border-radius: 8px; color: var(--danger); background: var(--card); }
.form-ok { margin: 0 0 0.75rem; padding: 0.6rem 0.8rem; border: 1px solid var(--border-strong); border-radius: 8px; background: var(--accent-soft); }
.row-form { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: center; margin: 0.75rem 0 0; }
.panel { margin: 0 0 1.25rem; padding: 1.25rem; background: var(--card); border: 1px solid var(--border); border-radius: var(--radius); box-shadow: var(--shadow); }
.panel h2 { margin: 0 0 0.75rem; font-size: 1.2rem; }
.panel ul.plain { margin: 0; padding: 0; list-style: none; display: grid; gap: 0.5rem; }
.role-badge { display: inline-block; margin-left: 0.5rem; padding: 0.05rem 0.5rem; border-radius: 6px; background: var(--chip-primary); color: var(--chip-primary-text); font-size: 0.8rem; font-weight: 700; vertical-align: middle; }
.new-token { margin: 0 0 1rem; padding: 0.9rem 1rem; border: 2px solid var(--focus); border-radius: 10px; background: var(--bg); }
.new-token pre { margin: 0.5rem 0; white-space: pre-wrap; word-break: break-all; user-select: all; }
.table-scroll { overflow-x: auto; }
table.tokens { width: 100%; border-collapse: collapse; font-size: 0.9rem; }
table.tokens th, table.tokens td { text-align: left; padding: 0.4rem 0.5rem; border-bottom: 1px solid var(--border); vertical-align: middle; }
table.tokens th { color: var(--faint); font-weight: 600; }
.comment-excerpt { margin: 0.15rem 0 0; color: var(--muted); font-size: 0.92rem; white-space: pre-line; }

/* Comments */
.comments { margin-top: 1.5rem; }
.comments-head { display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between; gap: 0.5rem 1rem; }
.comments-head h2 { margin: 0; font-size: 1.25rem; }
.comment-list, .comment-replies { margin: 1rem 0; padding: 0; list-style: none; display: grid; gap: 0.75rem; }
.comment-replies { margin: 0.6rem 0 0 1.25rem; padding-left: 0.9rem; border-left: 2px solid var(--border); }
.comment-card { padding: 0.75rem 1rem; background: var(--card); border: 1px solid var(--border); border-radius: var(--radius); box-shadow: var(--shadow); }
.comment:target > .comment-card { border-color: var(--focus); }
.comment-meta { margin: 0 0 0.35rem; color: var(--faint); font-size: 0.85rem; }
.comment-author { font-weight: 700; color: var(--text); }
.comment-time { color: var(--faint); }
.comment-badge { margin-left: 0.4rem; padding: 0 0.4rem; border-radius: 6px; background: var(--chip); color: var(--danger); font-size: 0.75rem; font-weight: 700; }
.comment-body > :first-child { margin-top: 0; }
.comment-body > :last-child { margin-bottom: 0; }
.comment-body blockquote { margin: 0.5rem 0; padding-left: 0.8rem; border-left: 3px solid var(--border-strong); color: var(--muted); }
.comment-body h3, .comment-body h4, .comment-body h5, .comment-body h6 { margin: 0.75rem 0 0.35rem; font-size: 1rem; }
.comment-body table { border-collapse: collapse; }
.comment-body th, .comment-body td { padding: 0.2rem 0.5rem; border: 1px solid var(--border); }
.comment-placeholder { margin: 0; color: var(--faint); font-style: italic; }
.comment-flag { margin: 0 0 0.4rem; color: var(--danger); font-size: 0.85rem; }
.comment-actions { display: flex; flex-wrap: wrap; align-items: center; gap: 0.3rem 0.9rem; margin-top: 0.5rem; font-size: 0.85rem; }
.comment-actions .link-button { font-weight: 600; }
.comment-votes { display: inline-flex; align-items: center; gap: 0.35rem; color: var(--faint); }
.comment-vote { font: inherit; font-size: 0.85rem; padding: 0.1rem 0.5rem; border: 1px solid var(--border-strong); border-radius: 999px; background: var(--card); color: var(--muted); cursor: pointer; }
.comment-vote[aria-pressed="true"] { border-color: var(--accent); background: var(--accent-soft); color: var(--accent-text); font-weight: 700; }
.comment-reply { margin: 0.4rem 0 0 1.25rem; }
.comment-reply > summary { cursor: pointer; color: var(--accent-text); font-size: 0.85rem; font-weight: 600; }
.comment-form { display: grid; gap: 0.4rem; margin: 0.75rem 0 0; }
.comment-form label { font-weight: 600; font-size: 0.92rem; }
.comment-form textarea { font: inherit; width: 100%; padding: 0.5rem 0.7rem; border: 1px solid var(--border-strong); border-radius: 8px; background: var(--bg); color: var(--text); resize: vertical; }
.comment-form button { justify-self: start; cursor: pointer; }
.comment-hint { margin: 0; color: var(--faint); font-size: 0.8rem; }
.comment-login { margin: 1rem 0 0; }
.banned-list { margin: 0; padding: 0; list-style: none; display: grid; gap: 0.4rem; }
.comment-confirm { display: inline; }
.comment-confirm > summary { display: inline; cursor: pointer; color: var(--accent-text); font-weight: 600; }
.comment-confirm[open] > summary { margin-right: 0.4rem; }

/* Votes, submissions, editor tools, trending */
form.upvote { flex: none; margin: 0; }
button.vote, a.vote { font: inherit; font-size: 0.8rem; cursor: pointer; text-decoration: none; }
button.vote:hover, a.vote:hover { border-color: var(--accent); text-decoration: none; }
button.vote[aria-pressed="true"] { background: var(--accent-soft); border-color: var(--accent); color: var(--accent-text); }
button.vote[aria-pressed="true"] .n { color: var(--accent-text); }
button.vote:disabled { opacity: 0.6; cursor: progress; }
.reorder { display: flex; gap: 0.4rem; margin-top: 0.6rem; }
.reorder form { margin: 0; }
.small-button { font: inherit; font-size: 0.8rem; padding: 0.15rem 0.6rem; border-radius: 6px; cursor: pointer; border: 1px solid var(--border-strong); background: var(--card); color: var(--text); }
.trend-badge { margin: 0 0 0.25rem; font-size: 0.8rem; color: var(--faint); }
.trend-badge .rank { font-weight: 700; color: var(--text); }
.trend-badge .score { font-variant-numeric: tabular-nums; }
.why-trending, .editor-tools { margin-top: 1.5rem; padding: 1rem 1.25rem; border: 1px solid var(--border); border-radius: var(--radius); background: var(--bg); }
.why-trending h2, .editor-tools h2 { margin-top: 0; }
table.terms { border-collapse: collapse; font-size: 0.92rem; margin: 0.5rem 0 0.75rem; }
table.terms th, table.terms td { padding: 0.25rem 0.75rem 0.25rem 0; text-align: left; border-bottom: 1px solid var(--border); font-weight: normal; }
table.terms td { text-align: right; font-variant-numeric: tabular-nums; }
table.terms thead th { color: var(--faint); font-weight: 600; }
table.terms tr.total th, table.terms tr.total td { font-weight: 700; border-bottom: none; }
.formula { margin: 0.5rem 0; padding-left: 1.25rem; }
.how-trending { margin-top: 2rem; }
.rules { margin: 0 0 1rem; padding-left: 1.25rem; color: var(--muted); font-size: 0.92rem; }

/* Pictures (charts.ts): SVG sized by its width/height attributes, scaled down on narrow screens */
svg.chart { display: block; max-width: 100%; height: auto; }
.chart-figure { margin: 0 0 1.25rem; padding: 0.75rem 1rem 0.5rem; background: var(--card); border: 1px solid var(--border); border-radius: var(--radius); }
.chart-figure figcaption { color: var(--muted); font-size: 0.85rem; }
svg.chart-days { width: 100%; height: 7.5rem; }
.chart-dates { display: flex; justify-content: space-between; color: var(--muted); font-size: 0.8rem; }
.chart-axis { stroke: var(--border-strong); stroke-width: 1; vector-effect: non-scaling-stroke; }
.chart-grid { stroke: var(--border-strong); stroke-width: 1; stroke-dasharray: 3 3; vector-effect: non-scaling-stroke; }
.chart-bar { fill: var(--chart-votes); }
.chart-bar:hover { fill: var(--chart-comments); }
.spark { display: inline-block; vertical-align: middle; margin-left: 0.5rem; }
.spark-line { fill: none; stroke: var(--chart-votes); stroke-width: 1.5; stroke-linejoin: round; }
.spark-area { fill: var(--accent-soft); }
.spark-dot { fill: var(--chart-votes); }
.score-bar { margin: 0.5rem 0 0.75rem; }
.score-track { fill: var(--chip); }
.seg-votes { fill: var(--chart-votes); background: var(--chart-votes); }
.seg-comments { fill: var(--chart-comments); background: var(--chart-comments); }
.seg-freshness { fill: var(--chart-freshness); background: var(--chart-freshness); }
.score-legend { display: flex; flex-wrap: wrap; gap: 0.25rem 1rem; margin: 0.35rem 0 0; padding: 0; list-style: none; font-size: 0.82rem; color: var(--muted); }
.swatch { display: inline-block; width: 0.75rem; height: 0.75rem; margin-right: 0.35rem; border-radius: 3px; vertical-align: -0.1rem; }

@media (max-width: 40rem) {
  .site-title { font-size: 1.45rem; }
  .header-tools, .search { width: 100%; }
  .search input { flex: 1; width: auto; }
  .page-head h1 { font-size: 1.5rem; }
  .period-nav { margin-left: 0; }
  .card { padding: 0.85rem; gap: 0.7rem; }
  .vote { width: 2.6rem; }
  .paper { padding: 1rem; }
  .paper h1 { font-size: 1.4rem; }
  .facts { grid-template-columns: 1fr; gap: 0 0; }
  .facts dd { margin-bottom: 0.4rem; }
}
/* Email digests: subscribe, manage, unsubscribe */
.subscribe-card, .manage-card { max-width: 34rem; }
.subscribe-card > p { color: var(--muted); }
.stack-form textarea, .stack-form select {
  font: inherit; padding: 0.45rem 0.7rem; border: 1px solid var(--border-strong); border-radius: 8px; background: var(--bg); color: var(--text);
}
.stack-form textarea { resize: vertical; }
.stack-form textarea[aria-invalid="true"] { border-color: var(--danger); }
fieldset.choice { margin: 0.5rem 0 0; padding: 0; border: none; display: grid; gap: 0.3rem; }
fieldset.choice legend { font-weight: 600; font-size: 0.92rem; margin-bottom: 0.3rem; }
fieldset.choice label { font-weight: 400; margin: 0; }
.manage-card h2 { margin: 1.5rem 0 0.5rem; font-size: 1.15rem; }
ul.topic-feeds, ul.webhooks { margin: 0.5rem 0 1rem; padding-left: 1.1rem; display: grid; gap: 0.35rem; font-size: 0.92rem; }
ul.webhooks li span { margin-right: 0.6rem; }
.button-row { display: flex; flex-wrap: wrap; gap: 0.5rem; margin: 0.5rem 0 1rem; }
.stack-form button.danger-button { justify-self: start; padding: 0.4rem 0.9rem; font-size: 0.9rem; border-color: var(--danger); background: none; color: var(--danger); }
.button-row button, .notice .inline-form button:not(.danger-button) {
  font: inherit; font-weight: 600; padding: 0.4rem 0.9rem; border-radius: 8px; cursor: pointer; border: 1px solid var(--accent); background: var(--accent); color: var(--on-accent);
}
@media (prefers-reduced-motion: reduce) { * { scroll-behavior: auto !important; transition: none !important; } }
`;
