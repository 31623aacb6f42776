// Presentational building blocks shared by the console pages. Every value is interpolated as
// JSX text or an attribute, which preact-render-to-string escapes: no view builds HTML by hand.
import { Fragment, type ComponentChildren, type JSX } from 'preact';
import { formatUtc, formatUtcClock, relativeTime, statusText } from './format.js';

export type Tone = 'green' | 'red' | 'amber' | 'blue' | 'gray';

export function Badge({ tone, children, plain }: { tone: Tone; children: ComponentChildren; plain?: boolean }): JSX.Element {
  return <span class={`badge ${tone === 'gray' ? '' : tone}${plain ? ' plain' : ''}`}>{children}</span>;
}

/** active:false is a suspension (issue #14): the user and its groups stay, sign-in is refused. */
export const StatusBadge = ({ active }: { active: boolean }) => <Badge tone={active ? 'green' : 'amber'}>{active ? 'Active' : 'Suspended'}</Badge>;

export const SourceBadge = ({ source }: { source: string }) =>
  source === 'scim' ? <Badge tone="blue" plain>Provisioned</Badge> : <Badge tone="gray" plain>Manual</Badge>;

export function HttpStatus({ status, scimType }: { status: number; scimType?: string | null }): JSX.Element {
  const tone: Tone = status >= 500 ? 'red' : status >= 400 ? 'amber' : 'green';
  return (
    <span class="nowrap">
      <Badge tone={tone}>
        {status} {statusText(status)}
      </Badge>
      {scimType ? <span class="cell-sub mono">{scimType}</span> : null}
    </span>
  );
}

/**
 * A timestamp: relative text (or the exact time, or a clock time), the exact UTC time in
 * `datetime` and the tooltip. console.js shows exact and clock times in the browser's time zone
 * and adds the local time to the tooltip; without scripts the UTC text stays.
 */
export function Time({ iso, exact, clock }: { iso: string | null | undefined; exact?: boolean; clock?: boolean }): JSX.Element {
  if (!iso) return <span class="muted">—</span>;
  return (
    <time dateTime={iso} title={formatUtc(iso)} data-local={clock ? 'clock' : exact ? 'exact' : undefined}>
      {clock ? formatUtcClock(iso) : exact ? formatUtc(iso) : relativeTime(iso)}
    </time>
  );
}

export function PageHeader({ title, description, actions, breadcrumb }: { title: ComponentChildren; description?: ComponentChildren; actions?: ComponentChildren; breadcrumb?: { href: string; label: string } }): JSX.Element {
  return (
    <header class="page-header">
      <div>
        {breadcrumb ? (
          <div class="breadcrumb">
            <a href={breadcrumb.href}>← {breadcrumb.label}</a>
          </div>
        ) : null}
        <h1>{title}</h1>
        {description ? <p>{description}</p> : null}
      </div>
      {actions ? <div class="actions">{actions}</div> : null}
    </header>
  );
}

export function Notice({ tone, title, children, role }: { tone: 'info' | 'success' | 'warning' | 'error'; title?: string; children?: ComponentChildren; role?: 'status' | 'alert' }): JSX.Element {
  return (
    <div class={`notice ${tone}`} role={role}>
      {title ? <h2>{title}</h2> : null}
      {children}
    </div>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ComponentChildren }): JSX.Element {
  return (
    <div class="empty">
      <h3>{title}</h3>
      {children}
    </div>
  );
}

/** A read-only value with a Copy button (revealed by console.js) and a live region for feedback. */
export function CopyField({ id, label, value, hint }: { id: string; label: string; value: string; hint?: ComponentChildren }): JSX.Element {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <div class="copy-field">
        <input type="text" id={id} value={value} readOnly data-select spellcheck={false} autocomplete="off" aria-describedby={hint ? `${id}-hint` : undefined} />
        <button type="button" class="btn secondary" data-copy={id} hidden aria-label={`Copy ${label}`}>
          Copy
        </button>
      </div>
      {hint ? (
        <span class="hint" id={`${id}-hint`}>
          {hint}
        </span>
      ) : null}
      <span class="copy-status" id={`${id}-status`} role="status" aria-live="polite"></span>
    </div>
  );
}

/** Hidden synchronizer token for a state-changing form. */
export const CsrfField = ({ token }: { token: string }) => <input type="hidden" name="_csrf" value={token} />;

/** A one-button form that POSTs `fields` with the CSRF token: row actions, deactivate, sign out. */
export function PostButton({ action, csrf, fields = {}, class: cls, label, children }: { action: string; csrf: string; fields?: Readonly<Record<string, string>>; class: string; label?: string; children: ComponentChildren }): JSX.Element {
  return (
    <form method="post" action={action} class="inline">
      <CsrfField token={csrf} />
      {Object.entries(fields).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <button type="submit" class={cls} aria-label={label}>
        {children}
      </button>
    </form>
  );
}

export function Pagination({ page, pageCount, total, noun, hrefFor }: { page: number; pageCount: number; total: number; noun: [string, string]; hrefFor: (page: number) => string }): JSX.Element | null {
  if (total === 0) return null;
  return (
    <nav class="pager" aria-label="Pagination">
      <span class="muted">
        {total.toLocaleString('en')} {total === 1 ? noun[0] : noun[1]} · page {page} of {pageCount}
      </span>
      <ul>
        <li>
          {page > 1 ? (
            <a class="btn secondary small" href={hrefFor(page - 1)} rel="prev">
              ← Previous
            </a>
          ) : null}
        </li>
        <li>
          {page < pageCount ? (
            <a class="btn secondary small" href={hrefFor(page + 1)} rel="next">
              Next →
            </a>
          ) : null}
        </li>
      </ul>
    </nav>
  );
}

/** A sortable column header: a link that flips the order, with aria-sort on the active column. */
export function SortHeader<K extends string>({ label, column, sort, order, hrefFor, class: cls }: { label: string; column: K; sort: K; order: 'asc' | 'desc'; hrefFor: (sort: K, order: 'asc' | 'desc') => string; class?: string }): JSX.Element {
  const active = column === sort;
  const next = active && order === 'asc' ? 'desc' : 'asc';
  return (
    <th scope="col" class={cls} aria-sort={active ? (order === 'asc' ? 'ascending' : 'descending') : undefined}>
      <a href={hrefFor(column, next)}>
        {label}
        <span aria-hidden="true">{active ? (order === 'asc' ? ' ↑' : ' ↓') : ''}</span>
        {active ? <span class="sr-only">{order === 'asc' ? ', sorted ascending' : ', sorted descending'}</span> : null}
      </a>
    </th>
  );
}

/** Builds `path?a=1&b=2`, dropping empty and default values. */
export function hrefWith(path: string, params: Readonly<Record<string, string | number | undefined>>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

/** A request path that wraps only after its slashes. */
export function RequestPath({ method, path }: { method?: string; path: string }): JSX.Element {
  const parts = path.split('/');
  return (
    <span class="mono">
      {method ? `${method} ` : null}
      {parts.map((p, i) => (
        <Fragment key={i}>
          {i > 0 ? '/' : null}
          {i > 0 ? <wbr /> : null}
          {p}
        </Fragment>
      ))}
    </span>
  );
}

/** Text such as an email or user name that may wrap only at natural points (before @, after . _ -). */
export function Wrap({ text }: { text: string }): JSX.Element {
  const parts = text.split(/(?=@)|(?<=[._-])/);
  return (
    <>
      {parts.map((p, i) => (
        <Fragment key={i}>
          {i > 0 ? <wbr /> : null}
          {p}
        </Fragment>
      ))}
    </>
  );
}

/** A resource id, shortened for tables; the full id is in the title and the link. */
export const ShortId = ({ id }: { id: string }) => (id.length > 13 ? <span title={id}>{`${id.slice(0, 8)}…`}</span> : <>{id}</>);
