// Console sessions, server-side: a row per signed-in browser, keyed by the SHA-256 of the
// cookie's token. Looked up before the tenant is known, like an API key; deleting the row ends
// the session on every instance at once.
import type { Kysely, Selectable } from 'kysely';
import type { Database, SessionsTable } from './database.js';
import type { SessionRecord, SessionStore } from '../ports.js';
import { trustedTenantId } from '../../domain/ids.js';

const toRecord = (r: Selectable<SessionsTable>): SessionRecord => ({
  id: r.id,
  tenantId: trustedTenantId(r.tenant_id),
  accountId: r.account_id,
  csrfToken: r.csrf_token,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  lastSeenAt: r.last_seen_at,
});

export function createSessionsRepo(db: Kysely<Database>): SessionStore {
  return {
    async create(s) {
      await db
        .insertInto('sessions')
        .values({
          id: s.id,
          tenant_id: s.tenantId,
          account_id: s.accountId,
          csrf_token: s.csrfToken,
          created_at: s.createdAt,
          expires_at: s.expiresAt,
          last_seen_at: s.lastSeenAt,
        })
        .execute();
    },
    async find(id) {
      const row = await db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toRecord(row) : undefined;
    },
    async touch(id, lastSeenAt, expiresAt) {
      await db.updateTable('sessions').set({ last_seen_at: lastSeenAt, expires_at: expiresAt }).where('id', '=', id).execute();
    },
    async delete(id) {
      await db.deleteFrom('sessions').where('id', '=', id).execute();
    },
    async deleteExpired(now) {
      const r = await db.deleteFrom('sessions').where('expires_at', '<', now).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}
