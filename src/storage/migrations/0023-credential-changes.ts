// Issue #15: bearer credentials are cached in memory on every instance (services/credentials/
// credential-cache.ts), so every change that can end a credential's validity must reach every
// instance at once. Triggers, not application code, announce those changes, so that every path
// that writes them — the console, the CLI in another process, a future code path, an operator's
// manual SQL — is covered:
//  - api_keys: revoked_at, secret_hash, scopes or tenant_id updated, or a key deleted;
//  - organizations: api_access_approved updated, or an organisation deleted;
//  - oauth_access_tokens / oauth_client_secrets / oauth_clients: a token's hash, expiry, scope or
//    owner updated, or any of them deleted (a client's or secret's deletion cascades to its tokens;
//    the parent triggers make that independent of whether cascaded deletes fire child triggers).
// Updates of last_used_at (written about once a minute per credential) announce nothing.
//
// SQLite: each trigger increments the one row of `credential_epoch`; every instance (each its own
// connection, possibly another process) reads that row, a single cached page, before serving a
// cached credential. PostgreSQL: each trigger sends `NOTIFY wiggledesk_credentials` (delivered to
// every listening instance when the transaction commits, not at all if it rolls back); each
// instance LISTENs on one dedicated connection (storage/dialects/credential-watch.ts).
import { sql, type Kysely } from 'kysely';
import type { SqlDialectName } from '../kysely/dialect-name.js';

/** [table, the columns whose update may end a credential's validity]. */
const WATCHED: readonly (readonly [string, readonly string[]])[] = [
  ['api_keys', ['revoked_at', 'secret_hash', 'scopes', 'tenant_id']],
  ['organizations', ['api_access_approved']],
  ['oauth_access_tokens', ['token_hash', 'expires_at', 'scope', 'tenant_id', 'client_id']],
  ['oauth_client_secrets', []],
  ['oauth_clients', []],
];

export async function up(db: Kysely<unknown>, dialect: SqlDialectName): Promise<void> {
  if (dialect === 'postgres') {
    await sql`create function wiggledesk_credentials_changed() returns trigger language plpgsql as $$
      begin
        perform pg_notify('wiggledesk_credentials', tg_table_name);
        return null;
      end
    $$`.execute(db);
    for (const [table, columns] of WATCHED) {
      // Statement-level: one notification per statement (PostgreSQL also folds identical
      // notifications of one transaction into one).
      const events = columns.length ? sql.raw(`update of ${columns.join(', ')} or delete`) : sql.raw('delete');
      await sql`create trigger ${sql.raw(`${table}_credentials_changed`)} after ${events} on ${sql.table(table)}
        for each statement execute function wiggledesk_credentials_changed()`.execute(db);
    }
    return;
  }
  await db.schema.createTable('credential_epoch').addColumn('id', 'integer', (c) => c.primaryKey()).addColumn('n', 'integer', (c) => c.notNull()).execute();
  await sql`insert into credential_epoch (id, n) values (1, 0)`.execute(db);
  for (const [table, columns] of WATCHED) {
    const bump = sql.raw('begin update credential_epoch set n = n + 1 where id = 1; end');
    if (columns.length) {
      await sql`create trigger ${sql.raw(`${table}_credentials_updated`)} after update of ${sql.raw(columns.join(', '))} on ${sql.table(table)} ${bump}`.execute(db);
    }
    await sql`create trigger ${sql.raw(`${table}_credentials_deleted`)} after delete on ${sql.table(table)} ${bump}`.execute(db);
  }
}
