// Proven, exclusive sign-in bindings (issue #18; tables from migration 0015-binding-proof).
// Ownership of a tenant id / domain / issuer is cross-organisation by nature: "who holds it" is
// asked before any organisation is known, and a claim may displace another organisation's
// unproven binding. Everything else (links, challenges, proof flows) is read and changed for one
// named organisation: every statement below carries `tenant_id = ?`.
//
// Exclusivity is the UNIQUE index sign_in_bindings_owner (provider, value) WHERE status <>
// 'conflict': a claim checks, then writes; when two claims race, the second insert violates the
// index and is answered "held by another organisation" — never two holders.
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Database } from './database.js';
import type { SqlDialectName } from './dialect-name.js';
import type { SignInTables } from './sign-in-store.js';
import type {
  ActivityEntry,
  BindingChallengeRecord,
  BindingProofFlowRecord,
  BindingRecord,
  BindingStatus,
  BindingStore,
  ClaimOutcome,
  SignInLinkRow,
  SignInProvider,
} from '../ports.js';
import { trustedTenantId, type TenantId } from '../../domain/ids.js';
import { constraintViolation } from '../dialects/errors.js';
import { createActivityRepo } from './activity-repo.js';

type ChallengesTable = {
  tenant_id: string;
  provider: string;
  value: string;
  token: string;
  created_at: string;
  created_by: string | null;
  checked_at: string | null;
  last_result: string | null;
};

type ProofsTable = {
  id: string;
  tenant_id: string;
  account_id: string;
  provider: string;
  state: string;
  nonce: string;
  code_verifier: string;
  redirect_uri: string;
  created_at: string;
  expires_at: string;
};

export type BindingTables = SignInTables & {
  sign_in_binding_challenges: ChallengesTable;
  sign_in_binding_proofs: ProofsTable;
};

type Db = Kysely<Database & BindingTables>;

const toBinding = (r: Selectable<BindingTables['sign_in_bindings']>): BindingRecord => ({
  tenantId: trustedTenantId(r.tenant_id),
  provider: r.provider as SignInProvider,
  value: r.value,
  createdAt: r.created_at,
  createdBy: r.created_by,
  status: r.status as BindingStatus,
  method: r.method,
  verifiedAt: r.verified_at,
  verifiedBy: r.verified_by,
  unverifiedSince: r.unverified_since,
});

const toChallenge = (r: Selectable<ChallengesTable>): BindingChallengeRecord => ({
  tenantId: trustedTenantId(r.tenant_id),
  provider: r.provider as SignInProvider,
  value: r.value,
  token: r.token,
  createdAt: r.created_at,
  createdBy: r.created_by,
  checkedAt: r.checked_at,
  lastResult: r.last_result,
});

/**
 * Ends the organisation's links that came through `value` (and, for Google, links recorded before
 * links knew their binding: NULL) and the SSO sessions of those users. Returns the links ended.
 */
async function endLinks(tx: Db, tenantId: string, provider: string, value: string): Promise<number> {
  const through = (q: Db) =>
    q
      .selectFrom('sign_in_identities')
      .select('scim_user_id')
      .where('tenant_id', '=', tenantId)
      .where('provider', '=', provider)
      .where((eb) => eb.or([eb('binding_value', '=', value), eb('binding_value', 'is', null)]));
  await tx
    .deleteFrom('sessions')
    .where('tenant_id', '=', tenantId)
    .where('account_id', 'in', (eb) =>
      eb.selectFrom('sign_in_users').select('account_id').where('tenant_id', '=', tenantId).where('account_id', 'is not', null).where('scim_user_id', 'in', through(tx)),
    )
    .execute();
  const r = await tx
    .deleteFrom('sign_in_identities')
    .where('tenant_id', '=', tenantId)
    .where('provider', '=', provider)
    .where((eb) => eb.or([eb('binding_value', '=', value), eb('binding_value', 'is', null)]))
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}

export function createBindingStore(database: Kysely<Database>, dialect: SqlDialectName): BindingStore {
  const db: Db = database.withTables<BindingTables>();

  async function holderIn(q: Db, provider: string, value: string) {
    const row = await q.selectFrom('sign_in_bindings').selectAll().where('provider', '=', provider).where('value', '=', value).where('status', '<>', 'conflict').executeTakeFirst();
    return row ? toBinding(row) : undefined;
  }

  /** Upserts the organisation's row for the value as verified. */
  async function writeVerified(tx: Db, tenantId: string, provider: string, value: string, proof: { method: string; verifiedBy: string | null; at: string }) {
    await tx.deleteFrom('sign_in_bindings').where('tenant_id', '=', tenantId).where('provider', '=', provider).where('value', '=', value).execute();
    await tx
      .insertInto('sign_in_bindings')
      .values({
        tenant_id: tenantId,
        provider,
        value,
        created_at: proof.at,
        created_by: proof.verifiedBy,
        status: 'verified',
        method: proof.method,
        verified_at: proof.at,
        verified_by: proof.verifiedBy,
        unverified_since: null,
      })
      .execute();
  }

  const inTx = <T>(fn: (tx: Transaction<Database & BindingTables>) => Promise<T>): Promise<T> => db.transaction().execute(fn);

  return {
    holder: (provider, value) => holderIn(db, provider, value),

    async listForTenant(tenantId) {
      const rows = await db.selectFrom('sign_in_bindings').selectAll().where('tenant_id', '=', tenantId).orderBy('provider').orderBy('created_at').execute();
      return rows.map(toBinding);
    },

    async listAll(limit) {
      const rows = await db.selectFrom('sign_in_bindings').selectAll().orderBy('provider').orderBy('value').orderBy('created_at').limit(limit).execute();
      return rows.map(toBinding);
    },

    async claim(tenantId, provider, value, proof): Promise<ClaimOutcome> {
      try {
        return await inTx(async (tx) => {
          const holder = await holderIn(tx, provider, value);
          if (holder && holder.tenantId !== tenantId && holder.status === 'verified') return { ok: false, heldBy: holder.tenantId };
          let displaced: TenantId | undefined;
          if (holder && holder.tenantId !== tenantId) {
            // A proof beats a binding made without one: it becomes a conflict, its links end.
            await tx.updateTable('sign_in_bindings').set({ status: 'conflict' }).where('tenant_id', '=', holder.tenantId).where('provider', '=', provider).where('value', '=', value).execute();
            await endLinks(tx, holder.tenantId, provider, value);
            displaced = holder.tenantId;
          }
          // Already this organisation's: an unverified binding becomes verified; a verified one stays as it is.
          const already = holder?.tenantId === tenantId;
          if (!(already && holder.status === 'verified')) await writeVerified(tx, tenantId, provider, value, proof);
          await tx.deleteFrom('sign_in_binding_challenges').where('tenant_id', '=', tenantId).where('provider', '=', provider).where('value', '=', value).execute();
          return { ok: true, displaced, already };
        });
      } catch (e) {
        // Another organisation's claim committed between our check and our insert.
        if (constraintViolation(e)?.kind === 'unique') {
          const holder = await holderIn(db, provider, value);
          if (holder && holder.tenantId !== tenantId) return { ok: false, heldBy: holder.tenantId };
        }
        throw e;
      }
    },

    async move(provider, value, to, at, by) {
      return inTx(async (tx) => {
        const holder = await holderIn(tx, provider, value);
        let linksEnded = 0;
        if (holder && holder.tenantId !== to) {
          linksEnded = await endLinks(tx, holder.tenantId, provider, value);
          await tx.deleteFrom('sign_in_bindings').where('tenant_id', '=', holder.tenantId).where('provider', '=', provider).where('value', '=', value).execute();
        }
        if (!(holder?.tenantId === to && holder.status === 'verified')) await writeVerified(tx, to, provider, value, { method: 'operator', verifiedBy: by, at });
        return { from: holder && holder.tenantId !== to ? holder.tenantId : undefined, linksEnded };
      });
    },

    async remove(tenantId, provider, value) {
      return inTx(async (tx) => {
        const r = await tx.deleteFrom('sign_in_bindings').where('tenant_id', '=', tenantId).where('provider', '=', provider).where('value', '=', value).executeTakeFirst();
        if (Number(r.numDeletedRows) === 0) return { removed: false, linksEnded: 0 };
        return { removed: true, linksEnded: await endLinks(tx, tenantId, provider, value) };
      });
    },

    async saveChallenge(c) {
      await db
        .insertInto('sign_in_binding_challenges')
        .values({ tenant_id: c.tenantId, provider: c.provider, value: c.value, token: c.token, created_at: c.createdAt, created_by: c.createdBy, checked_at: c.checkedAt, last_result: c.lastResult })
        .onConflict((oc) => oc.columns(['tenant_id', 'provider', 'value']).doNothing())
        .execute();
    },
    async challenge(tenantId, provider, value) {
      const row = await db.selectFrom('sign_in_binding_challenges').selectAll().where('tenant_id', '=', tenantId).where('provider', '=', provider).where('value', '=', value).executeTakeFirst();
      return row ? toChallenge(row) : undefined;
    },
    async challenges(tenantId) {
      const rows = await db.selectFrom('sign_in_binding_challenges').selectAll().where('tenant_id', '=', tenantId).orderBy('created_at').limit(100).execute();
      return rows.map(toChallenge);
    },
    async noteChallengeCheck(tenantId, provider, value, at, result) {
      await db.updateTable('sign_in_binding_challenges').set({ checked_at: at, last_result: result.slice(0, 500) }).where('tenant_id', '=', tenantId).where('provider', '=', provider).where('value', '=', value).execute();
    },
    async deleteChallenge(tenantId, provider, value) {
      const r = await db.deleteFrom('sign_in_binding_challenges').where('tenant_id', '=', tenantId).where('provider', '=', provider).where('value', '=', value).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },

    async saveProofFlow(f) {
      await db
        .insertInto('sign_in_binding_proofs')
        .values({
          id: f.id,
          tenant_id: f.tenantId,
          account_id: f.accountId,
          provider: f.provider,
          state: f.state,
          nonce: f.nonce,
          code_verifier: f.codeVerifier,
          redirect_uri: f.redirectUri,
          created_at: f.createdAt,
          expires_at: f.expiresAt,
        })
        .execute();
    },
    async takeProofFlow(id, now) {
      await db.deleteFrom('sign_in_binding_proofs').where('expires_at', '<', now).execute();
      const r = await db.deleteFrom('sign_in_binding_proofs').where('id', '=', id).returningAll().executeTakeFirst();
      if (!r) return undefined;
      const flow: BindingProofFlowRecord = {
        id: r.id,
        tenantId: trustedTenantId(r.tenant_id),
        accountId: r.account_id,
        provider: r.provider as SignInProvider,
        state: r.state,
        nonce: r.nonce,
        codeVerifier: r.code_verifier,
        redirectUri: r.redirect_uri,
        createdAt: r.created_at,
        expiresAt: r.expires_at,
      };
      return flow;
    },

    async links(tenantId, { limit, offset }) {
      const base = db
        .selectFrom('sign_in_identities as i')
        .leftJoin('scim_users as u', (j) => j.onRef('u.tenant_id', '=', 'i.tenant_id').onRef('u.id', '=', 'i.scim_user_id'))
        .where('i.tenant_id', '=', tenantId);
      const [count, rows] = await Promise.all([
        base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
        base
          .select(['i.provider', 'i.subject', 'i.binding_value', 'i.linked_at', 'i.scim_user_id', 'u.user_name', 'u.display_name'])
          .orderBy('i.linked_at', 'desc')
          .orderBy('i.subject')
          .limit(limit)
          .offset(offset)
          .execute(),
      ]);
      return {
        total: Number(count.n),
        rows: rows.map(
          (r): SignInLinkRow => ({
            provider: r.provider,
            subject: r.subject,
            bindingValue: r.binding_value,
            linkedAt: r.linked_at,
            scimUserId: r.scim_user_id,
            userName: r.user_name,
            displayName: r.display_name,
          }),
        ),
      };
    },

    async removeLink(tenantId, provider, subject) {
      return inTx(async (tx) => {
        const link = await tx.selectFrom('sign_in_identities').select('scim_user_id').where('tenant_id', '=', tenantId).where('provider', '=', provider).where('subject', '=', subject).executeTakeFirst();
        if (!link) return false;
        await tx
          .deleteFrom('sessions')
          .where('tenant_id', '=', tenantId)
          .where('account_id', 'in', (eb) => eb.selectFrom('sign_in_users').select('account_id').where('tenant_id', '=', tenantId).where('scim_user_id', '=', link.scim_user_id).where('account_id', 'is not', null))
          .execute();
        await tx.deleteFrom('sign_in_identities').where('tenant_id', '=', tenantId).where('provider', '=', provider).where('subject', '=', subject).execute();
        return true;
      });
    },

    async log(tenantId: TenantId, entry: ActivityEntry) {
      await createActivityRepo(database, dialect, tenantId).append([entry]);
    },
  };
}
