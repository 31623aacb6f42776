// The console's stylesheet, served by WiggleDesk itself (no CDN) under a content-hashed URL.
// Kept as a module so `tsc` carries it into dist/ with the code. No inline styles anywhere:
// the CSP is `style-src 'self'`.
export const CONSOLE_CSS = String.raw`
:root {
  --bg: #f6f7f9;
  --surface: #ffffff;
  --surface-2: #f9fafb;
  --border: #e2e5ea;
  --border-strong: #cdd2da;
  --text: #1b2330;
  --muted: #56606e;
  --accent: #3451c7;
  --accent-hover: #2a43a8;
  --accent-soft: #eef1fc;
  --focus: #7c93ee;
  --danger: #b42318;
  --danger-hover: #912018;
  --radius: 10px;
  --shadow: 0 1px 2px rgba(16, 24, 40, 0.05);
  --mono: ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono", monospace;
  color-scheme: light;
}
*, *::before, *::after { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: var(--text);
  background: var(--bg);
}
a { color: var(--accent); text-decoration-thickness: 1px; text-underline-offset: 2px; }
a:hover { color: var(--accent-hover); }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; border-radius: 4px; }
h1, h2, h3 { line-height: 1.25; margin: 0; }
h1 { font-size: 1.55rem; font-weight: 650; letter-spacing: -0.01em; }
h2 { font-size: 1.08rem; font-weight: 620; }
h3 { font-size: 0.98rem; font-weight: 620; }
p { margin: 0 0 0.75rem; }
code, pre, .mono { font-family: var(--mono); font-size: 0.86em; }
.sr-only { position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
.skip-link { position: absolute; left: 12px; top: -48px; z-index: 10; background: var(--surface); padding: 8px 14px; border-radius: 8px; border: 1px solid var(--border); }
.skip-link:focus { top: 12px; }

/* ---------- shell */
.shell { display: grid; grid-template-columns: 252px minmax(0, 1fr); min-height: 100vh; }
.sidebar { background: var(--surface); border-right: 1px solid var(--border); }
.sidebar-inner { display: flex; flex-direction: column; padding: 20px 14px; position: sticky; top: 0; height: 100vh; overflow-y: auto; }
.brand { display: flex; align-items: center; gap: 10px; padding: 4px 10px 18px; color: var(--text); text-decoration: none; }
.brand:hover { color: var(--text); }
.brand-mark { width: 30px; height: 30px; flex: none; }
.brand-name { font-weight: 700; font-size: 1.05rem; letter-spacing: -0.01em; }
.brand-org { display: block; color: var(--muted); font-size: 0.8rem; font-weight: 450; }
.nav ul { list-style: none; margin: 0; padding: 0; display: grid; gap: 2px; }
.nav a { display: flex; align-items: center; gap: 10px; padding: 8px 10px; border-radius: 8px; color: var(--muted); text-decoration: none; font-weight: 520; }
.nav a:hover { background: var(--surface-2); color: var(--text); }
.nav a[aria-current="page"] { background: var(--accent-soft); color: var(--accent); }
.nav svg { width: 18px; height: 18px; flex: none; }
.account { margin-top: auto; border-top: 1px solid var(--border); padding: 14px 10px 0; font-size: 0.86rem; }
.account-name { font-weight: 600; display: block; overflow-wrap: anywhere; }
.account-email { color: var(--muted); display: block; overflow-wrap: anywhere; margin-bottom: 10px; }
.main { padding: 32px 40px 64px; max-width: 1180px; width: 100%; }
.main:focus { outline: none; }

/* ---------- page parts */
.page-header { display: flex; flex-wrap: wrap; align-items: flex-start; justify-content: space-between; gap: 16px; margin-bottom: 24px; }
.page-header p { color: var(--muted); margin: 6px 0 0; max-width: 70ch; }
.page-header .actions { display: flex; gap: 8px; flex-wrap: wrap; align-items: center; }
.breadcrumb { font-size: 0.86rem; margin-bottom: 8px; color: var(--muted); }
.breadcrumb a { color: var(--muted); }
.stack { display: grid; gap: 20px; }
.grid-2 { display: grid; gap: 20px; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); align-items: start; }
.card { background: var(--surface); border: 1px solid var(--border); border-radius: var(--radius); box-shadow: var(--shadow); padding: 20px 24px; }
.card > h2, .card-title { margin-bottom: 14px; }
.card-head { display: flex; justify-content: space-between; align-items: baseline; gap: 12px; margin-bottom: 14px; flex-wrap: wrap; }
.card-head h2 { margin: 0; }
.card.flush { padding: 0; overflow: hidden; }
.card.flush > .card-head { padding: 18px 24px 0; }
.subhead { margin: 22px 0 6px; padding-top: 18px; border-top: 1px solid var(--border); }
.muted { color: var(--muted); }
.small { font-size: 0.86rem; }
.nowrap { white-space: nowrap; }
.break { overflow-wrap: break-word; word-break: normal; }
.break-any { overflow-wrap: anywhere; }
/* Row actions stacked one per line (a narrow column: the table fits its card instead of scrolling). */
.row-actions.stacked > form, .row-actions.stacked > a { display: flex; margin: 0 0 6px; }
.row-actions.stacked .btn { width: 100%; justify-content: center; white-space: nowrap; }

/* ---------- stats and health */
.stats { display: grid; gap: 16px; grid-template-columns: repeat(auto-fit, minmax(190px, 1fr)); }
.stat { background: var(--surface); border: 1px solid var(--border); border-radius: var(--radius); padding: 16px 20px; box-shadow: var(--shadow); }
.stat-label { color: var(--muted); font-size: 0.84rem; font-weight: 520; display: block; }
.stat-value { font-size: 1.7rem; font-weight: 650; letter-spacing: -0.02em; display: block; margin-top: 2px; }
.stat-note { color: var(--muted); font-size: 0.82rem; }
.health { display: flex; gap: 16px; align-items: flex-start; border-left: 4px solid var(--border-strong); }
.health h2 { font-size: 1.15rem; margin-bottom: 4px; }
.health p { margin: 0; color: var(--muted); }
.health-dot { width: 12px; height: 12px; border-radius: 50%; margin-top: 6px; flex: none; background: #98a2b3; }
.health.good { border-left-color: #2f9e44; } .health.good .health-dot { background: #2f9e44; }
.health.warn { border-left-color: #e8890c; } .health.warn .health-dot { background: #e8890c; }
.health.bad { border-left-color: #d92d20; } .health.bad .health-dot { background: #d92d20; }
.changes { list-style: none; margin: 0; padding: 0; font-size: 0.9em; }
.changes li { overflow-wrap: anywhere; }
.changes .old { text-decoration: line-through; color: var(--muted); }
.changes .new { font-weight: 600; }
.inline-size { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
.inline-size select { width: auto; min-height: 32px; padding: 4px 8px; }
.hints { margin: 8px 0 0; padding-left: 20px; display: grid; gap: 8px; }
.hints code { overflow-wrap: anywhere; }
.field-error { color: var(--danger); font-weight: 600; margin: 6px 0 0; }
.refused-list { list-style: none; margin: 0; padding: 0; display: grid; gap: 12px; }
.refused-list li { border-left: 4px solid #d92d20; padding: 4px 0 4px 12px; }
.refused-sentence { margin: 0 0 4px; font-weight: 600; }

/* ---------- badges */
.badge { display: inline-flex; align-items: center; gap: 6px; padding: 2px 9px; border-radius: 999px; font-size: 0.78rem; font-weight: 600; line-height: 1.5; white-space: nowrap; background: #eef0f3; color: #39414d; }
.badge::before { content: ""; width: 6px; height: 6px; border-radius: 50%; background: currentColor; opacity: 0.75; }
.badge.plain::before { display: none; }
.badge.green { background: #e5f5e9; color: #1d6b31; }
.badge.red { background: #fdeceb; color: #a3201a; }
.badge.amber { background: #fff3dc; color: #85460a; }
.badge.blue { background: #eaeefd; color: #2c44a8; }

/* ---------- tables */
.table-wrap { overflow-x: auto; }
table { width: 100%; border-collapse: collapse; font-size: 0.92rem; }
caption { text-align: left; }
th, td { text-align: left; padding: 11px 14px; border-bottom: 1px solid var(--border); vertical-align: top; }
th { font-size: 0.76rem; text-transform: uppercase; letter-spacing: 0.04em; color: var(--muted); font-weight: 620; background: var(--surface-2); white-space: nowrap; }
th a { color: inherit; text-decoration: none; display: inline-flex; gap: 4px; align-items: center; }
th a:hover { color: var(--text); }
th[aria-sort] a { color: var(--text); }
tbody tr:last-child td { border-bottom: 0; }
tbody tr:hover td { background: #fbfbfd; }
tbody th { text-transform: none; letter-spacing: normal; font-size: 0.84rem; font-weight: 500; color: var(--text); white-space: normal; }
.attr-name { width: 38%; overflow-wrap: anywhere; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.cell-main { font-weight: 560; }
.col-name { min-width: 10rem; }
.cell-sub { display: block; color: var(--muted); font-size: 0.84rem; overflow-wrap: anywhere; }
.empty { padding: 36px 24px; text-align: center; color: var(--muted); }
.empty h3 { color: var(--text); margin-bottom: 6px; }

/* ---------- definition lists */
.dl { display: grid; grid-template-columns: minmax(140px, max-content) minmax(0, 1fr); gap: 10px 24px; margin: 0; }
.dl dt { color: var(--muted); font-size: 0.88rem; }
.dl dd { margin: 0; overflow-wrap: break-word; min-width: 0; }

/* ---------- forms and buttons */
form.inline { display: inline; }
.toolbar { display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-end; padding: 16px 24px; border-bottom: 1px solid var(--border); background: var(--surface); }
.toolbar .field { margin: 0; }
.toolbar .grow { flex: 1 1 240px; }
.field { display: grid; gap: 6px; margin-bottom: 14px; }
label, .label { font-weight: 560; font-size: 0.88rem; }
.hint { color: var(--muted); font-size: 0.84rem; }
input[type="text"], input[type="email"], input[type="password"], input[type="search"], select {
  font: inherit; color: var(--text); background: var(--surface); border: 1px solid var(--border-strong); border-radius: 8px; min-height: 40px; padding: 8px 12px; width: 100%;
}
input:focus-visible, select:focus-visible { outline: 3px solid var(--focus); outline-offset: 0; border-color: var(--accent); }
input[readonly] { background: var(--surface-2); font-family: var(--mono); font-size: 0.88rem; }
.btn { display: inline-flex; align-items: center; justify-content: center; gap: 8px; min-height: 40px; padding: 8px 16px; border-radius: 8px; border: 1px solid var(--accent); background: var(--accent); color: #fff; font: inherit; font-weight: 600; text-decoration: none; cursor: pointer; white-space: nowrap; }
.btn:hover { background: var(--accent-hover); border-color: var(--accent-hover); color: #fff; }
.btn.secondary { background: var(--surface); color: var(--text); border-color: var(--border-strong); }
.btn.secondary:hover { background: var(--surface-2); color: var(--text); }
.btn.danger { background: var(--danger); border-color: var(--danger); }
.btn.danger:hover { background: var(--danger-hover); border-color: var(--danger-hover); }
.btn.danger-outline { background: var(--surface); color: var(--danger); border-color: #f1b5b0; }
.btn.danger-outline:hover { background: #fff5f4; }
.btn.small { min-height: 32px; padding: 4px 12px; font-size: 0.86rem; }
.btn.link { background: none; border: 0; color: var(--accent); padding: 0; min-height: 0; font-weight: 560; }
.btn.link:hover { text-decoration: underline; background: none; color: var(--accent-hover); }
.btn.block { width: 100%; }
.copy-field { display: flex; gap: 8px; align-items: stretch; }
.copy-field input { flex: 1; min-width: 0; }
.copy-status { color: #1d6b31; font-size: 0.84rem; font-weight: 560; }
.segmented { display: inline-flex; border: 1px solid var(--border-strong); border-radius: 8px; overflow: hidden; }
.segmented a { padding: 7px 14px; color: var(--muted); text-decoration: none; font-weight: 560; font-size: 0.9rem; }
.segmented a + a { border-left: 1px solid var(--border-strong); }
.segmented a[aria-current="page"] { background: var(--accent-soft); color: var(--accent); }

.inline-form { display: flex; gap: 12px; align-items: flex-end; flex-wrap: wrap; }
.inline-form .field { flex: 1 1 280px; margin: 0; }
.card-body { padding: 16px 24px 20px; display: grid; gap: 16px; border-bottom: 1px solid var(--border); }
.card-body > p { margin: 0; }
.card-body .hint { margin: 6px 0 0; }

/* ---------- notices */
.notice { border: 1px solid var(--border); border-left-width: 4px; border-radius: var(--radius); padding: 14px 18px; background: var(--surface); }
.notice h2, .notice h3 { font-size: 0.98rem; margin-bottom: 4px; }
.notice p:last-child { margin-bottom: 0; }
.notice.info { border-color: #c9d3f6; border-left-color: var(--accent); background: #f6f8ff; }
.notice.success { border-color: #bfe3c8; border-left-color: #2f9e44; background: #f3fbf5; }
.notice.warning { border-color: #f5d9a8; border-left-color: #e8890c; background: #fffaf0; }
.notice.error { border-color: #f4c2bd; border-left-color: #d92d20; background: #fff6f5; }

/* ---------- pagination */
.pager { display: flex; justify-content: space-between; align-items: center; gap: 12px; padding: 14px 24px; border-top: 1px solid var(--border); flex-wrap: wrap; font-size: 0.9rem; }
.pager ul { list-style: none; display: flex; gap: 6px; margin: 0; padding: 0; }

/* ---------- guides */
.steps { counter-reset: step; list-style: none; margin: 0; padding: 0; display: grid; gap: 14px; }
.steps > li { counter-increment: step; position: relative; padding-left: 40px; }
.steps > li::before { content: counter(step); position: absolute; left: 0; top: 0; width: 26px; height: 26px; border-radius: 50%; background: var(--accent-soft); color: var(--accent); font-weight: 700; font-size: 0.82rem; display: grid; place-items: center; }
.steps > li.done::before { content: "\2713"; background: #e5f5e9; color: #1d6b31; }
.steps strong { font-weight: 620; }
.steps ul { margin: 6px 0 0; padding-left: 18px; }
.toc { display: flex; gap: 8px; flex-wrap: wrap; margin: 0; padding: 0; list-style: none; }
.guide { scroll-margin-top: 16px; }
pre { background: #f4f6f9; border: 1px solid var(--border); border-radius: 8px; padding: 12px 14px; overflow-x: auto; margin: 8px 0 0; line-height: 1.45; white-space: pre-wrap; overflow-wrap: anywhere; }
details summary { cursor: pointer; font-weight: 560; }
details.raw { padding: 14px 24px; border-top: 1px solid var(--border); }
details.raw pre { margin-top: 12px; }
.plain-list { margin: 0; padding: 0; list-style: none; display: grid; gap: 8px; }
.steps .field { margin: 12px 0 0; }
kbd { font-family: var(--mono); font-size: 0.82em; border: 1px solid var(--border-strong); border-bottom-width: 2px; border-radius: 4px; padding: 0 4px; background: var(--surface); }

/* ---------- sign in */
.auth-page { min-height: 100vh; display: grid; place-items: center; padding: 24px; background: radial-gradient(circle at 20% 0%, #e9edfb 0, transparent 45%), var(--bg); }
.auth-card { width: 100%; max-width: 400px; }
.auth-card .brand { justify-content: center; padding-bottom: 22px; }
.auth-card h1 { font-size: 1.3rem; text-align: center; margin-bottom: 6px; }
.auth-card .lead { text-align: center; color: var(--muted); margin-bottom: 22px; }
.auth-card .card { padding: 28px; }
.auth-foot { text-align: center; color: var(--muted); font-size: 0.84rem; margin-top: 18px; }

/* ---------- narrow screens: the sidebar becomes a top bar */
@media (max-width: 860px) {
  .shell { grid-template-columns: minmax(0, 1fr); }
  .sidebar-inner { min-width: 0; }
  .sidebar { border-right: 0; border-bottom: 1px solid var(--border); }
  .sidebar-inner { position: static; height: auto; padding: 12px 12px 0; overflow: visible; }
  table { min-width: 680px; }
  .brand { padding: 4px 6px 10px; }
  .nav ul { display: flex; overflow-x: auto; gap: 4px; padding-bottom: 10px; }
  .nav a { white-space: nowrap; }
  .account { display: flex; align-items: center; gap: 12px; padding: 10px 6px; margin: 0; }
  .account-email { margin: 0; }
  .main { padding: 24px 16px 48px; }
  th, td { padding: 10px 12px; }
  .toolbar { padding: 14px 16px; }
  .dl { grid-template-columns: 1fr; gap: 2px 0; }
  .dl dd { margin-bottom: 10px; }
}
/* ---------- phones: tables marked fits-sm drop their secondary columns instead of scrolling */
.stack > *, .grid-2 > *, .card, .table-wrap { min-width: 0; max-width: 100%; }
@media (max-width: 600px) {
  .inline-form .field { flex-basis: 100%; }
  .dl dd, .break, code { overflow-wrap: anywhere; }
  table { min-width: 0; }
  th, td { padding: 8px 8px; overflow-wrap: anywhere; }
  th { white-space: normal; }
  .hide-sm { display: none; }
  .page-header { flex-direction: column; align-items: stretch; }
  .copy-field { flex-wrap: wrap; }
  pre { white-space: pre-wrap; overflow-wrap: anywhere; }
}
@media (prefers-reduced-motion: no-preference) {
  .btn, .nav a { transition: background-color 0.12s ease, color 0.12s ease, border-color 0.12s ease; }
}
/* "Sign in with Microsoft" per Microsoft's branding guidelines (light theme): white, 1px #8C8C8C border,
   #5E5E5E Segoe UI 15px/600, 41px high, the four-square logo 21px with 12px to the text. Not restyled by .btn. */
.btn-ms { display: flex; align-items: center; justify-content: center; gap: 12px; height: 41px; padding: 0 12px; background: #fff; border: 1px solid #8c8c8c; border-radius: 0; color: #5e5e5e; font-family: "Segoe UI", "Segoe UI Web (West European)", -apple-system, BlinkMacSystemFont, Roboto, "Helvetica Neue", sans-serif; font-size: 15px; font-weight: 600; text-decoration: none; }
.btn-ms:hover { background: #f3f3f3; color: #5e5e5e; }
.btn-ms:focus-visible { outline: 2px solid #0067b8; outline-offset: 2px; }
.btn-ms svg { flex: none; }
`;
