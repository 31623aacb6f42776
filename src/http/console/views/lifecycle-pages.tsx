// The user-lifecycle pages (issue #14): Settings (claim and deprovisioning policy), Deleted users
// (Restore, Erase now), Add / Edit user, CSV import with a per-row preview, and Pending claims
// with both records side by side.
import { Fragment, type JSX } from 'preact';
import type { DeletedUsersView } from '../../../services/console/console-lifecycle.js';
import type { ImportPreview, PendingClaimView } from '../../../services/lifecycle/lifecycle.js';
import type { LifecyclePolicy } from '../../../storage/ports.js';
import type { JsonObject } from '../../../domain/json.js';
import { Layout, type Chrome } from './layout.js';
import { CsrfField, EmptyState, Notice, PageHeader, Pagination, PostButton, ShortId, SourceBadge, Time, Wrap } from './components.js';
import { flattenAttributes } from './attributes.js';

export interface FormError {
  readonly message: string;
}

// ------------------------------------------------------------------ Settings

export const SETTINGS_DONE: Record<string, string> = { saved: 'Settings saved. They apply to the next request from your identity provider and to console removals.' };

export function SettingsPage({ chrome, policy, done, error }: { chrome: Chrome; policy: LifecyclePolicy; done?: string | undefined; error?: FormError | undefined }): JSX.Element {
  const radio = (name: string, value: string, current: string, label: string, hint: string) => (
    <label class="choice" key={value}>
      <input type="radio" name={name} value={value} checked={current === value} /> <strong>{label}</strong>
      <span class="hint">{hint}</span>
    </label>
  );
  return (
    <Layout title="Settings" chrome={chrome}>
      <PageHeader title="Settings" description="How WiggleDesk treats manual users when your identity provider arrives, and what happens when it suspends or deletes someone." />
      <div class="stack">
        {done && SETTINGS_DONE[done] ? (
          <Notice tone="success" role="status">
            <p>{SETTINGS_DONE[done]}</p>
          </Notice>
        ) : null}
        {error ? (
          <Notice tone="error" role="alert" title="Not saved">
            <p>{error.message}</p>
          </Notice>
        ) : null}
        <form method="post" action="/console/settings" class="card">
          <CsrfField token={chrome.csrfToken} />
          <fieldset>
            <legend>
              <h2>Claiming manual users</h2>
            </legend>
            <p class="muted">When your identity provider provisions someone whose user name or primary email matches a user you added by hand:</p>
            {radio('claim', 'match', policy.claim, 'Match (default)', 'The provisioned user takes over the manual record: same WiggleDesk id, history and groups; your identity provider manages it from then on.')}
            {radio('claim', 'approve', policy.claim, 'Ask an admin', 'The identity provider is told approval is pending; an admin approves or rejects the claim under Pending claims, and the next retry succeeds.')}
            {radio('claim', 'never', policy.claim, 'Never', 'The identity provider gets a conflict; manual users stay manual.')}
          </fieldset>
          <fieldset>
            <legend>
              <h2>Deprovisioning</h2>
            </legend>
            <p class="muted">
              Suspending (<span class="mono">active: false</span>) always keeps the user and their groups, refuses sign-in and ends their sessions at once. When a user is deleted — by your identity
              provider or here:
            </p>
            {radio('onDelete', 'retain', policy.onDelete, 'Keep for a retention period (default)', 'The user disappears from SCIM and lists at once, is listed under Deleted users where it can be restored, and is erased when the period ends.')}
            {radio('onDelete', 'erase', policy.onDelete, 'Erase at once', 'The person’s data is erased immediately; only a tombstone (id, external id, dates) remains. Cannot be undone.')}
            <div class="field narrow">
              <label for="retentionDays">Retention period (days)</label>
              <input type="number" id="retentionDays" name="retentionDays" min={0} max={365} step={1} value={String(policy.retentionDays)} required aria-describedby="retention-hint" />
              <span class="hint" id="retention-hint">
                0 to 365. 0 erases at the next run of the retention job (hourly).
              </span>
            </div>
          </fieldset>
          <div class="form-actions">
            <button type="submit" class="btn">
              Save settings
            </button>
            {policy.updatedAt ? (
              <span class="muted small">
                Last changed <Time iso={policy.updatedAt} /> by {policy.updatedBy ?? 'an admin'}
              </span>
            ) : (
              <span class="muted small">Defaults: match, keep for 30 days.</span>
            )}
          </div>
        </form>
      </div>
    </Layout>
  );
}

// ------------------------------------------------------------------ Deleted users

export const DELETED_DONE: Record<string, string> = {
  restored: 'The user was restored under the same id, with the groups that still exist.',
  erased: 'The user’s data was erased. Only a tombstone (id, external id, dates) remains.',
};

export function DeletedUsersPage({ chrome, vm, done, error }: { chrome: Chrome; vm: DeletedUsersView; done?: string | undefined; error?: FormError | undefined }): JSX.Element {
  const csrf = chrome.csrfToken;
  return (
    <Layout title="Deleted users" chrome={chrome}>
      <PageHeader
        breadcrumb={{ href: '/console/users', label: 'Manage Users' }}
        title="Deleted users"
        description={
          vm.policy.onDelete === 'erase'
            ? 'Your organisation erases deleted users at once, so this list is normally empty.'
            : `Deleted users are kept for ${vm.policy.retentionDays} day${vm.policy.retentionDays === 1 ? '' : 's'}, then erased. Until then you can restore them.`
        }
        actions={
          <a class="btn secondary" href="/console/settings">
            Retention settings
          </a>
        }
      />
      <div class="stack">
        {done && DELETED_DONE[done] ? (
          <Notice tone="success" role="status">
            <p>{DELETED_DONE[done]}</p>
          </Notice>
        ) : null}
        {error ? (
          <Notice tone="error" role="alert" title="Not restored">
            <p>{error.message}</p>
          </Notice>
        ) : null}
        <section class="card flush" aria-label="Deleted users">
          {vm.rows.length === 0 ? (
            <EmptyState title="No deleted users">
              <p>Users deleted by your identity provider or here appear in this list until they are erased.</p>
            </EmptyState>
          ) : (
            <div class="table-wrap">
              <table>
                <caption class="sr-only">Deleted users, newest first</caption>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">User name</th>
                    <th scope="col">Source</th>
                    <th scope="col">Deleted</th>
                    <th scope="col">Erased after</th>
                    <th scope="col">
                      <span class="sr-only">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {vm.rows.map((u) => (
                    <tr key={u.id}>
                      <td class="col-name">
                        <span class="cell-main">{u.displayName ?? u.userName}</span>
                        <span class="cell-sub mono">
                          <ShortId id={u.id} />
                        </span>
                      </td>
                      <td>
                        <Wrap text={u.userName} />
                      </td>
                      <td>
                        <SourceBadge source={u.source} />
                      </td>
                      <td class="break-any">
                        <span class="nowrap">
                          <Time iso={u.deletedAt} />
                        </span>
                        <span class="cell-sub">{u.deletedBy ?? ''}</span>
                      </td>
                      <td class="nowrap">
                        <Time iso={u.purgeAfter} exact />
                      </td>
                      <td class="row-actions stacked">
                        <PostButton action={`/console/deleted-users/${encodeURIComponent(u.id)}/restore`} csrf={csrf} class="btn secondary small" label={`Restore ${u.userName}`}>
                          Restore
                        </PostButton>{' '}
                        <a class="btn secondary small" href={`/console/users/${encodeURIComponent(u.id)}/export`} aria-label={`Export ${u.userName}`}>
                          Export
                        </a>{' '}
                        <PostButton action={`/console/users/${encodeURIComponent(u.id)}/erase`} csrf={csrf} class="btn danger-outline small" label={`Erase now: ${u.userName}`}>
                          Erase now
                        </PostButton>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <Pagination page={vm.page} pageCount={vm.pageCount} total={vm.total} noun={['deleted user', 'deleted users']} hrefFor={(page) => `/console/deleted-users?page=${page}`} />
        </section>
      </div>
    </Layout>
  );
}

// ------------------------------------------------------------------ Add / edit a manual user

export interface ManualUserForm {
  readonly email: string;
  readonly name: string;
  readonly department: string;
  readonly title: string;
}

export function ManualUserPage({ chrome, form, editId, error }: { chrome: Chrome; form: ManualUserForm; editId?: string | undefined; error?: FormError | undefined }): JSX.Element {
  const action = editId ? `/console/users/${encodeURIComponent(editId)}/edit` : '/console/users/new';
  return (
    <Layout title={editId ? 'Edit user' : 'Add user'} chrome={chrome}>
      <PageHeader
        breadcrumb={editId ? { href: `/console/users/${encodeURIComponent(editId)}`, label: 'User' } : { href: '/console/users', label: 'Manage Users' }}
        title={editId ? 'Edit user' : 'Add user'}
        description="A manual user signs in with Microsoft or Google when their verified email matches and your sign-in settings allow it. When your identity provider later provisions the same person, the claim policy under Settings decides what happens."
      />
      <div class="stack">
        {error ? (
          <Notice tone="error" role="alert" title={editId ? 'Not saved' : 'Not added'}>
            <p>{error.message}</p>
          </Notice>
        ) : null}
        <form method="post" action={action} class="card">
          <CsrfField token={chrome.csrfToken} />
          <div class="field">
            <label for="name">Name</label>
            <input type="text" id="name" name="name" value={form.name} maxLength={256} required autocomplete="off" />
          </div>
          <div class="field">
            <label for="email">Work email</label>
            <input type="email" id="email" name="email" value={form.email} maxLength={320} required autocomplete="off" aria-describedby="email-hint" />
            <span class="hint" id="email-hint">
              Also the user name.
            </span>
          </div>
          <div class="field">
            <label for="department">Department (optional)</label>
            <input type="text" id="department" name="department" value={form.department} maxLength={256} autocomplete="off" />
          </div>
          <div class="field">
            <label for="title">Job title (optional)</label>
            <input type="text" id="title" name="title" value={form.title} maxLength={256} autocomplete="off" />
          </div>
          <div class="form-actions">
            <button type="submit" class="btn">
              {editId ? 'Save' : 'Add user'}
            </button>
            <a class="btn secondary" href="/console/users/import">
              Import many from CSV
            </a>
          </div>
        </form>
      </div>
    </Layout>
  );
}

// ------------------------------------------------------------------ CSV import

export function ImportPage({ chrome, csv, preview }: { chrome: Chrome; csv: string; preview?: ImportPreview | undefined }): JSX.Element {
  const shown = preview ? [...preview.rows.filter((r) => r.error), ...preview.rows.filter((r) => !r.error)].slice(0, 200) : [];
  return (
    <Layout title="Import users" chrome={chrome}>
      <PageHeader
        breadcrumb={{ href: '/console/users', label: 'Manage Users' }}
        title="Import users from CSV"
        description={
          <>
            The first line names the columns: <span class="mono">email,name,department,title</span> (department and title are optional). Nothing is written until you confirm the preview.
          </>
        }
      />
      <div class="stack">
        {preview?.fileError ? (
          <Notice tone="error" role="alert" title="The file cannot be imported">
            <p>{preview.fileError}</p>
          </Notice>
        ) : null}
        {preview && !preview.fileError ? (
          <section class="card flush" aria-labelledby="preview-title">
            <div class="card-head">
              <h2 id="preview-title">Preview</h2>
              <span class="muted small">
                {preview.valid} row{preview.valid === 1 ? '' : 's'} will be imported{preview.invalid > 0 ? `; ${preview.invalid} with errors will be skipped` : ''}.
              </span>
            </div>
            <div class="table-wrap">
              <table>
                <caption class="sr-only">Rows of the file, rows with errors first</caption>
                <thead>
                  <tr>
                    <th scope="col" class="num">
                      Line
                    </th>
                    <th scope="col">Email</th>
                    <th scope="col">Name</th>
                    <th scope="col">Department</th>
                    <th scope="col">Title</th>
                    <th scope="col">Result</th>
                  </tr>
                </thead>
                <tbody>
                  {shown.map((r) => (
                    <tr key={r.line} class={r.error ? 'row-error' : undefined}>
                      <td class="num">{r.line}</td>
                      <td class="break">{r.email}</td>
                      <td>{r.name}</td>
                      <td>{r.department}</td>
                      <td>{r.title}</td>
                      <td>{r.error ? <span class="badge amber">{r.error}</span> : <span class="badge green">will be added</span>}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {preview.rows.length > shown.length ? <p class="muted small pad">Showing {shown.length} of {preview.rows.length} rows (rows with errors first).</p> : null}
            {preview.valid > 0 ? (
              <form method="post" action="/console/users/import" class="pad">
                <CsrfField token={chrome.csrfToken} />
                <textarea name="csv" hidden>
                  {csv}
                </textarea>
                <button type="submit" class="btn">
                  Import {preview.valid} user{preview.valid === 1 ? '' : 's'}
                </button>
              </form>
            ) : null}
          </section>
        ) : null}
        <form method="post" action="/console/users/import/preview" class="card">
          <CsrfField token={chrome.csrfToken} />
          <div class="field">
            <label for="csv-file">CSV file</label>
            <input type="file" id="csv-file" accept=".csv,text/csv" data-csv-into="csv" hidden />
            <span class="hint">Choose a file, or paste its contents below.</span>
          </div>
          <div class="field">
            <label for="csv">CSV</label>
            <textarea id="csv" name="csv" rows={10} spellcheck={false} class="mono" required>
              {csv}
            </textarea>
          </div>
          <div class="form-actions">
            <button type="submit" class="btn secondary">
              Preview
            </button>
          </div>
        </form>
      </div>
    </Layout>
  );
}

// ------------------------------------------------------------------ Pending claims

function AttributeList({ doc }: { doc: JsonObject | undefined }): JSX.Element {
  if (!doc) return <p class="muted">(the manual user no longer exists)</p>;
  const { schemas: _s, ...rest } = doc;
  return (
    <dl class="dl compact">
      {flattenAttributes(rest).map((a) => (
        <Fragment key={a.path}>
          <dt class="mono break">{a.path.replace(/^urn:ietf:params:scim:schemas:extension:enterprise:2\.0:User:/, 'enterprise:')}</dt>
          <dd class="break">{a.value}</dd>
        </Fragment>
      ))}
    </dl>
  );
}

export const CLAIMS_DONE: Record<string, string> = {
  approved: 'Approved. The identity provider’s next retry links the user.',
  rejected: 'Rejected. The identity provider keeps getting a conflict for this user.',
};

export function ClaimsPage({ chrome, claims, done }: { chrome: Chrome; claims: readonly PendingClaimView[]; done?: string | undefined }): JSX.Element {
  const csrf = chrome.csrfToken;
  return (
    <Layout title="Pending claims" chrome={chrome}>
      <PageHeader
        breadcrumb={{ href: '/console/users', label: 'Manage Users' }}
        title="Pending claims"
        description="Your identity provider wants to take over these manually added users. Approve to let its next retry link them (same id, history and groups); reject to keep them manual."
        actions={
          claims.length > 1 ? (
            <>
              <PostButton action="/console/claims/all/approve" csrf={csrf} class="btn">
                Approve all ({claims.length})
              </PostButton>{' '}
              <PostButton action="/console/claims/all/reject" csrf={csrf} class="btn secondary">
                Reject all
              </PostButton>
            </>
          ) : undefined
        }
      />
      <div class="stack">
        {done && CLAIMS_DONE[done] ? (
          <Notice tone="success" role="status">
            <p>{CLAIMS_DONE[done]}</p>
          </Notice>
        ) : null}
        {claims.length === 0 ? (
          <section class="card">
            <EmptyState title="No pending claims">
              <p>
                Claims wait here when the claim policy under <a href="/console/settings">Settings</a> is “Ask an admin”.
              </p>
            </EmptyState>
          </section>
        ) : (
          claims.map((c) => (
            <section class="card" key={c.claim.userId} aria-label={`Claim of ${String(c.manual?.doc.userName ?? c.claim.userId)}`}>
              <div class="card-head">
                <h2>{String(c.manual?.doc.displayName ?? c.manual?.doc.userName ?? c.claim.userId)}</h2>
                <span class="muted small">
                  Requested <Time iso={c.claim.requestedAt} />
                </span>
              </div>
              <div class="grid-2">
                <div>
                  <h3>Manual user (now)</h3>
                  <AttributeList doc={c.manual?.doc} />
                </div>
                <div>
                  <h3>From your identity provider</h3>
                  <AttributeList doc={c.claim.doc} />
                </div>
              </div>
              <div class="form-actions">
                <PostButton action={`/console/claims/${encodeURIComponent(c.claim.userId)}/approve`} csrf={csrf} class="btn">
                  Approve
                </PostButton>{' '}
                <PostButton action={`/console/claims/${encodeURIComponent(c.claim.userId)}/reject`} csrf={csrf} class="btn secondary">
                  Reject
                </PostButton>
              </div>
            </section>
          ))
        )}
      </div>
    </Layout>
  );
}
