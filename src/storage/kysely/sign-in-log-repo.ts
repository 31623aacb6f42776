// The sign-in log (issue #17; table sign_in_events from migration 0010): one row per console
// sign-in attempt that could be tied to an organisation. Written before a tenant store exists
// (like sessions: sign-in resolves the tenant first), read only through forTenant().
import { sql, type Kysely } from 'kysely';
import type { Database } from './database.js';
import type { TenantId } from '../../domain/ids.js';
import type { SignInEventRecord, SignInLogStore, TenantSignInLogStore } from '../ports.js';
import { foldCase } from '../../scim/filter/fold-case.js';
import { clip } from './activity-repo.js';

const MAX_LABEL = 320;
const MAX_REFERENCE = 100;

/** LIKE pattern for "contains", with the wildcards of the text itself escaped (ESCAPE '\'). */
const containsPattern = (text: string): string => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export function createSignInLogRepo(db: Kysely<Database>): SignInLogStore {
  return {
    async record(events) {
      if (events.length === 0) return;
      await db
        .insertInto('sign_in_events')
        .values(
          events.map((e) => {
            const label = e.userLabel === null ? null : clip(e.userLabel, MAX_LABEL);
            return {
              tenant_id: e.tenantId,
              at: e.at,
              outcome: e.outcome,
              provider: e.provider,
              user_label: label,
              user_label_folded: label === null ? null : foldCase(label),
              scim_user_id: e.scimUserId,
              reason: e.reason,
              reference: clip(e.reference, MAX_REFERENCE),
            };
          }),
        )
        .execute();
    },

    async purgeBefore(beforeIso, limit) {
      // Rows are appended in time order, so the oldest `limit` rows by seq are the candidates:
      // one bounded read, then one delete by seq range (no scan of the whole table each round).
      const oldest = await db.selectFrom('sign_in_events').select(['seq', 'at']).orderBy('seq').limit(limit).execute();
      let last: number | undefined;
      for (const r of oldest) {
        if (r.at >= beforeIso) break;
        last = Number(r.seq);
      }
      if (last === undefined) return 0;
      const r = await db.deleteFrom('sign_in_events').where('seq', '<=', last).where('at', '<', beforeIso).executeTakeFirst();
      return Number(r.numDeletedRows);
    },

    forTenant(tenantId: TenantId): TenantSignInLogStore {
      return {
        async list(q) {
          let query = db
            .selectFrom('sign_in_events')
            .select(['seq', 'at', 'outcome', 'provider', 'user_label', 'scim_user_id', 'reason', 'reference'])
            .where('tenant_id', '=', tenantId);
          if (q.outcome) query = query.where('outcome', '=', q.outcome);
          if (q.reason) query = query.where('reason', '=', q.reason);
          if (q.reference) query = query.where('reference', '=', q.reference);
          if (q.scimUserId) query = query.where('scim_user_id', '=', q.scimUserId);
          if (q.userContains) query = query.where(sql<boolean>`user_label_folded like ${containsPattern(q.userContains)} escape '\\'`);
          if (q.beforeSeq !== undefined) query = query.where('seq', '<', q.beforeSeq);
          const rows = await query.orderBy('seq', 'desc').limit(q.limit).execute();
          return rows.map(
            (r): SignInEventRecord => ({
              seq: Number(r.seq),
              at: r.at,
              outcome: r.outcome === 'success' ? 'success' : 'refused',
              provider: r.provider,
              userLabel: r.user_label,
              scimUserId: r.scim_user_id,
              reason: r.reason,
              reference: r.reference,
            }),
          );
        },
      };
    },
  };
}
