// User lifecycle storage (migration 0009): the per-organisation policy, soft-deleted users, claims of
// manual users, erasure with tombstones, and the purge job's cross-tenant pieces (due rows, leases).
// Tenant-bound like every repository: each statement names tenant_id, closed over here.
import type { Kysely, Selectable, SqlBool } from 'kysely';
import type { Database, DeletedUsersTable, UserClaimsTable } from './database.js';
import type { SqlDialectName } from './dialect-name.js';
import type { SignInTables } from './sign-in-store.js';
import { trustedTenantId, type TenantId } from '../../domain/ids.js';
import type {
  ClaimPolicy,
  ClaimStatus,
  DeletedUserRecord,
  ErasureReport,
  LifecycleJobStore,
  LifecyclePolicy,
  LifecycleStore,
  OnDeletePolicy,
  UserClaimRecord,
} from '../ports.js';
import { userEmailRows, userHotValues } from './column-map.js';
import { UniqueConflict } from '../ports.js';
import { constraintViolation } from '../dialects/errors.js';
import { sql } from 'kysely';
import { parseDoc } from './resource-repo.js';
import { isStorableText } from '../../scim/text.js';
import { subjectIs } from './events-repo.js';
import { runPrepared } from './prepared.js';
import { idIn, idList } from './id-list.js';

type Db = Kysely<Database & SignInTables>;

export const DEFAULT_POLICY: Omit<LifecyclePolicy, 'updatedAt' | 'updatedBy'> = { claim: 'match', onDelete: 'retain', retentionDays: 30 };

/** What erased activity entries keep as their summary: ids, times and status stay, the person's data goes. */
export const REDACTED_SUMMARY = '{"redacted":"user erased"}';
export const ERASED_ACTOR = '(erased user)';

const toDeleted = (r: Selectable<DeletedUsersTable>): DeletedUserRecord => ({
  id: r.id,
  userName: r.user_name,
  externalId: r.external_id,
  displayName: r.display_name,
  email: r.email,
  source: r.source,
  version: Number(r.version),
  created: r.created_at,
  doc: parseDoc(r.doc),
  groupIds: JSON.parse(r.group_ids) as string[],
  deletedAt: r.deleted_at,
  deletedBy: r.deleted_by,
  purgeAfter: r.purge_after,
});

const toClaim = (r: Selectable<UserClaimsTable>): UserClaimRecord => ({
  userId: r.user_id,
  status: r.status as ClaimStatus,
  doc: parseDoc(r.doc),
  keyId: r.key_id,
  requestedAt: r.requested_at,
  decidedAt: r.decided_at,
  decidedBy: r.decided_by,
});

/**
 * The strings that identify a person in a user document: userName, display and nick names, name
 * parts, email addresses and phone numbers. (Not every string: "work" or "true" would match
 * everyone's entries.) What the activity log may echo in a summary, a detail or as the actor.
 */
export function identifyingStrings(doc: Record<string, unknown>, extra: readonly string[]): string[] {
  const out = new Set<string>(extra);
  const add = (v: unknown) => {
    if (typeof v === 'string' && v.trim().length >= 3) out.add(v);
  };
  add(doc.userName);
  add(doc.displayName);
  add(doc.nickName);
  const name = doc.name;
  if (name && typeof name === 'object' && !Array.isArray(name)) for (const v of Object.values(name)) add(v);
  for (const multi of ['emails', 'phoneNumbers', 'ims', 'addresses']) {
    const list = doc[multi];
    if (!Array.isArray(list)) continue;
    for (const e of list) {
      if (!e || typeof e !== 'object') continue;
      const o = e as Record<string, unknown>;
      add(o.value);
      add(o.formatted);
      add(o.streetAddress);
    }
  }
  return [...out].filter((s) => s.length <= 512);
}

export function createLifecycleRepo(database: Kysely<Database>, dialect: SqlDialectName, tenantId: TenantId): LifecycleStore {
  const db: Db = database.withTables<SignInTables>();

  async function accountIdsOf(userId: string): Promise<string[]> {
    const viaSso = await db.selectFrom('sign_in_users').select('account_id').where('tenant_id', '=', tenantId).where('scim_user_id', '=', userId).execute();
    const linked = await db.selectFrom('console_accounts').select('id').where('tenant_id', '=', tenantId).where('scim_user_id', '=', userId).execute();
    return [...new Set([...viaSso.flatMap((r) => (r.account_id ? [r.account_id] : [])), ...linked.map((r) => r.id)])];
  }

  async function deleteSessions(accountIds: readonly string[]): Promise<number> {
    if (accountIds.length === 0) return 0;
    const r = await db.deleteFrom('sessions').where('tenant_id', '=', tenantId).where('account_id', 'in', accountIds).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  const store: LifecycleStore = {
    async policy() {
      const row = await db.selectFrom('lifecycle_policies').selectAll().where('tenant_id', '=', tenantId).executeTakeFirst();
      if (!row) return { ...DEFAULT_POLICY, updatedAt: null, updatedBy: null };
      return {
        claim: row.claim_policy as ClaimPolicy,
        onDelete: row.on_delete as OnDeletePolicy,
        retentionDays: Number(row.retention_days),
        updatedAt: row.updated_at,
        updatedBy: row.updated_by,
      };
    },

    async setPolicy(p, now, by) {
      const values = { claim_policy: p.claim, on_delete: p.onDelete, retention_days: p.retentionDays, updated_at: now, updated_by: by };
      await db
        .insertInto('lifecycle_policies')
        .values({ tenant_id: tenantId, ...values })
        .onConflict((oc) => oc.column('tenant_id').doUpdateSet(values))
        .execute();
      return { ...p, updatedAt: now, updatedBy: by };
    },

    async findManualMatches(userNameFolded, emailFolded) {
      // Two index lookups, merged here: one statement with `userName = ? OR id IN (emails …)` and
      // ORDER BY seq made SQLite walk the tenant's users in seq order and test each row (0.9 ms per
      // SCIM create at 3,000 users, growing with the tenant). Every SCIM create asks this.
      // Templates run on `database` itself: `db` (withTables) is another Kysely instance, which the
      // SQLite direct reads (prepared.ts) do not know.
      const { rows: byName } = await runPrepared(database, `${dialect}:lifecycle:manualByName`, [tenantId, userNameFolded], (t, name) =>
        database.selectFrom('scim_users').select(['id', 'seq']).where('tenant_id', '=', t!).where('user_name_folded', '=', name!).where('source', '=', 'manual'),
      );
      // The email probe is the covering index alone: almost every create finds no row and stops
      // there. Only ids it finds are checked for being manual (a join with ORDER BY cost a temporary
      // B-tree on every create).
      const emailOwners =
        emailFolded === null
          ? []
          : (
              await runPrepared(database, `${dialect}:lifecycle:emailOwners`, [tenantId, emailFolded], (t, email) =>
                database.selectFrom('scim_user_emails').select('user_id').where('tenant_id', '=', t!).where('value_folded', '=', email!).limit(50),
              )
            ).rows;
      const manualAmong = async (ids: readonly string[]) =>
        (
          await runPrepared(database, `${dialect}:lifecycle:manualAmong`, [tenantId, idList(dialect, ids)], (t, list) =>
            database.selectFrom('scim_users').select(['id', 'seq']).where('tenant_id', '=', t!).where(idIn(dialect, 'id', list)).where('source', '=', 'manual'),
          )
        ).rows;
      const byEmail =
        emailOwners.length === 0
          ? []
          : emailOwners.length < 50
            ? await manualAmong([...new Set(emailOwners.map((r) => r.user_id))])
            : // Many users share this address: let the database pick the earliest manual ones.
              await db
                .selectFrom('scim_user_emails as e')
                .innerJoin('scim_users as u', (j) => j.onRef('u.tenant_id', '=', 'e.tenant_id').onRef('u.id', '=', 'e.user_id'))
                .select(['u.id as id', 'u.seq as seq'])
                .where('e.tenant_id', '=', tenantId)
                .where('e.value_folded', '=', emailFolded!)
                .where('u.source', '=', 'manual')
                .orderBy('u.seq')
                .limit(5)
                .execute();
      const seen = new Set<string>();
      return [...byName, ...byEmail]
        .sort((a, b) => Number(a.seq) - Number(b.seq))
        .filter((r) => (seen.has(r.id) ? false : (seen.add(r.id), true)))
        .slice(0, 5)
        .map((r) => r.id);
    },

    async setSource(id, source) {
      await db.updateTable('scim_users').set({ source }).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
    },

    async insertManualUsers(users, now) {
      const CHUNK = 400;
      for (let i = 0; i < users.length; i += CHUNK) {
        const chunk = users.slice(i, i + CHUNK);
        const rows = chunk.map((u) => ({ tenant_id: tenantId, id: u.id, created_at: now, updated_at: now, version: 1, doc: JSON.stringify(u.doc), source: 'manual', ...userHotValues(u.doc) }));
        try {
          await db.insertInto('scim_users').values(rows).execute();
        } catch (error) {
          if (constraintViolation(error)?.kind === 'unique') throw new UniqueConflict('userName');
          throw error;
        }
        const emails = chunk.flatMap((u) => userEmailRows(u.doc).map((e) => ({ tenant_id: tenantId, user_id: u.id, ...e })));
        if (emails.length) await db.insertInto('scim_user_emails').values(emails).execute();
      }
      if (users.length === 0) return;
      await db
        .insertInto('resource_counts')
        .values({ tenant_id: tenantId, resource_type: 'User', count: users.length })
        .onConflict((oc) => oc.columns(['tenant_id', 'resource_type']).doUpdateSet({ count: sql`resource_counts.count + ${users.length}` }))
        .execute();
    },

    async existingUserNames(folded) {
      const found = new Set<string>();
      const names = folded.filter(isStorableText);
      for (let i = 0; i < names.length; i += 500) {
        const rows = await db.selectFrom('scim_users').select('user_name_folded').where('tenant_id', '=', tenantId).where('user_name_folded', 'in', names.slice(i, i + 500)).execute();
        for (const r of rows) found.add(r.user_name_folded);
      }
      return found;
    },

    async softDelete(user, now, by, purgeAfter) {
      const hot = userHotValues(user.doc);
      const groups = await db.selectFrom('group_members').select('group_id').where('tenant_id', '=', tenantId).where('user_id', '=', user.id).execute();
      const row = {
        tenant_id: tenantId,
        id: user.id,
        user_name: hot.user_name,
        user_name_folded: hot.user_name_folded,
        external_id: hot.external_id,
        display_name: hot.display_name,
        email: hot.email,
        source: user.source ?? 'scim',
        version: user.version,
        created_at: user.created,
        doc: JSON.stringify(user.doc),
        group_ids: JSON.stringify(groups.map((g) => g.group_id)),
        deleted_at: now,
        deleted_by: by,
        purge_after: purgeAfter,
      };
      await db.insertInto('deleted_users').values(row).execute();
      return toDeleted(row);
    },

    async listDeleted(offset, limit) {
      const [rows, count] = await Promise.all([
        db.selectFrom('deleted_users').selectAll().where('tenant_id', '=', tenantId).orderBy('deleted_at', 'desc').orderBy('id').limit(limit).offset(offset).execute(),
        db.selectFrom('deleted_users').select((eb) => eb.fn.countAll<number>().as('n')).where('tenant_id', '=', tenantId).executeTakeFirstOrThrow(),
      ]);
      return { total: Number(count.n), rows: rows.map(toDeleted) };
    },

    async findDeleted(id) {
      if (!isStorableText(id)) return undefined;
      const row = await db.selectFrom('deleted_users').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return row ? toDeleted(row) : undefined;
    },

    async forgetDeleted(id) {
      await db.deleteFrom('deleted_users').where('tenant_id', '=', tenantId).where('id', '=', id).execute();
    },

    async erase(id, now) {
      const deleted = await store.findDeleted(id);
      if (!deleted) return undefined;
      // The person's own strings, to find them where the activity log names them as the actor
      // (an SSO account acting in the console is logged by its email).
      const accountIds = await accountIdsOf(id);
      const accounts = accountIds.length
        ? await db.selectFrom('console_accounts').select(['email']).where('tenant_id', '=', tenantId).where('id', 'in', accountIds).execute()
        : [];
      const names = identifyingStrings(deleted.doc, [deleted.userName, ...accounts.map((a) => a.email)]).filter((n) => n !== id);

      const about = await db
        .updateTable('activity_log')
        .set({ summary: REDACTED_SUMMARY })
        .where('tenant_id', '=', tenantId)
        .where('resource_id', '=', id)
        .executeTakeFirst();
      let redacted = Number(about.numUpdatedRows);
      // Entries not about the user that still name them: a refused create ("userName … already
      // exists (id …)"), an error detail echoing a value. One scan of the tenant's log per erasure.
      const needles = [id, ...names];
      const contains = (needle: string) => (dialect === 'postgres' ? sql<SqlBool>`strpos(summary, ${needle}) > 0` : sql<SqlBool>`instr(summary, ${needle}) > 0`);
      for (let i = 0; i < needles.length; i += 50) {
        const chunk = needles.slice(i, i + 50);
        const r = await db
          .updateTable('activity_log')
          .set({ summary: REDACTED_SUMMARY })
          .where('tenant_id', '=', tenantId)
          .where('summary', 'is not', null)
          .where('summary', '<>', REDACTED_SUMMARY)
          .where((eb) => eb.or(chunk.map(contains)))
          .executeTakeFirst();
        redacted += Number(r.numUpdatedRows);
      }
      const actorNames = names.filter((n) => n.length <= 320);
      for (let i = 0; i < actorNames.length; i += 200) {
        const r = await db
          .updateTable('activity_log')
          .set({ actor: ERASED_ACTOR })
          .where('tenant_id', '=', tenantId)
          .where('actor', 'in', actorNames.slice(i, i + 200))
          .executeTakeFirst();
        redacted += Number(r.numUpdatedRows);
      }

      // Event payloads (issue #13's outbox): the person's view in every event about them or their
      // memberships becomes ids only; the events stay, so positions and counts remain true.
      const events = await db
        .selectFrom('events')
        .select(['seq', 'data'])
        .where('tenant_id', '=', tenantId)
        .where(subjectIs(id))
        .execute();
      for (const e of events) {
        const data = JSON.parse(e.data) as Record<string, unknown>;
        const redacted = { ...data, user: { id, externalId: deleted.externalId, userName: null, displayName: null, active: false, emails: [] }, redacted: true };
        await db.updateTable('events').set({ data: JSON.stringify(redacted) }).where('tenant_id', '=', tenantId).where('seq', '=', e.seq).execute();
      }

      // Sign-in history (connection insights): the label a person signed in with.
      await sql`update sign_in_events set user_label = null, user_label_folded = null where tenant_id = ${tenantId} and scim_user_id = ${id}`.execute(db);

      const sessionsEnded = await deleteSessions(accountIds);
      const accountsGone = accountIds.length
        ? Number((await db.deleteFrom('console_accounts').where('tenant_id', '=', tenantId).where('id', 'in', accountIds).executeTakeFirst()).numDeletedRows)
        : 0;
      const identities = await db.deleteFrom('sign_in_identities').where('tenant_id', '=', tenantId).where('scim_user_id', '=', id).executeTakeFirst();
      await db.deleteFrom('sign_in_users').where('tenant_id', '=', tenantId).where('scim_user_id', '=', id).execute();
      await db.deleteFrom('deleted_users').where('tenant_id', '=', tenantId).where('id', '=', id).execute();
      await db
        .insertInto('user_tombstones')
        .values({ tenant_id: tenantId, id, external_id: deleted.externalId, deleted_at: deleted.deletedAt, purged_at: now })
        .onConflict((oc) => oc.columns(['tenant_id', 'id']).doNothing())
        .execute();
      const report: ErasureReport = {
        id,
        externalId: deleted.externalId,
        deletedAt: deleted.deletedAt,
        purgedAt: now,
        activityRedacted: redacted,
        sessionsEnded,
        accountsRemoved: accountsGone,
        identitiesRemoved: Number(identities.numDeletedRows),
        eventsRedacted: events.length,
      };
      return report;
    },

    async tombstone(id) {
      if (!isStorableText(id)) return undefined;
      const row = await db.selectFrom('user_tombstones').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return row ? { id: row.id, externalId: row.external_id, deletedAt: row.deleted_at, purgedAt: row.purged_at } : undefined;
    },

    async endSessionsOf(userId) {
      return deleteSessions(await accountIdsOf(userId));
    },

    async claims(status) {
      let q = db.selectFrom('user_claims').selectAll().where('tenant_id', '=', tenantId);
      if (status) q = q.where('status', '=', status);
      return (await q.orderBy('requested_at').limit(1000).execute()).map(toClaim);
    },

    async findClaim(userId) {
      const row = await db.selectFrom('user_claims').selectAll().where('tenant_id', '=', tenantId).where('user_id', '=', userId).executeTakeFirst();
      return row ? toClaim(row) : undefined;
    },

    async requestClaim(userId, doc, keyId, now) {
      const existing = await store.findClaim(userId);
      if (existing && existing.status !== 'pending') return existing;
      await db
        .insertInto('user_claims')
        .values({ tenant_id: tenantId, user_id: userId, status: 'pending', doc: JSON.stringify(doc), key_id: keyId, requested_at: existing?.requestedAt ?? now, decided_at: null, decided_by: null })
        .onConflict((oc) => oc.columns(['tenant_id', 'user_id']).doUpdateSet({ doc: JSON.stringify(doc), key_id: keyId }))
        .execute();
      return (await store.findClaim(userId))!;
    },

    async decideClaim(userId, status, now, by) {
      const r = await db
        .updateTable('user_claims')
        .set({ status, decided_at: now, decided_by: by })
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },

    async deleteClaim(userId) {
      await db.deleteFrom('user_claims').where('tenant_id', '=', tenantId).where('user_id', '=', userId).execute();
    },
  };
  return store;
}

/** The purge job's cross-organisation reads and its lease. `compact` is the dialect's clean-up after an erasure. */
export function createLifecycleJobStore(db: Kysely<Database>, compact: () => Promise<void>): LifecycleJobStore {
  return {
    async duePurges(now, limit) {
      const rows = await db.selectFrom('deleted_users').select(['tenant_id', 'id']).where('purge_after', '<=', now).orderBy('purge_after').limit(limit).execute();
      return rows.map((r) => ({ tenantId: trustedTenantId(r.tenant_id), id: r.id }));
    },

    async acquireLease(name, holder, now, until) {
      // One statement: insert, or take over a lease that expired or is already ours (RETURNING says whether we hold it).
      const row = await db
        .insertInto('lifecycle_leases')
        .values({ name, holder, expires_at: until })
        .onConflict((oc) =>
          oc
            .column('name')
            .doUpdateSet({ holder, expires_at: until })
            .where((eb) => eb.or([eb('lifecycle_leases.expires_at', '<=', now), eb('lifecycle_leases.holder', '=', holder)])),
        )
        .returning('holder')
        .executeTakeFirst();
      return row?.holder === holder;
    },

    async releaseLease(name, holder) {
      await db.deleteFrom('lifecycle_leases').where('name', '=', name).where('holder', '=', holder).execute();
    },

    compact,
  };
}
