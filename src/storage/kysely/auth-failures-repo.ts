// Refused SCIM connections attributed to an organisation's key: one aggregated row per
// (organisation, key, reason), upserted with a counter, so storage stays bounded however often a
// misconfigured identity provider retries.
import { sql, type Kysely } from 'kysely';
import type { Database } from './database.js';
import type { TenantId } from '../../domain/ids.js';
import type { AuthFailureInput, AuthFailureReason, AuthFailuresStore, IdpProfileStore } from '../ports.js';
import { clip } from './activity-repo.js';

const MAX_USER_AGENT = 256;

export async function recordAuthFailure(db: Kysely<Database>, input: AuthFailureInput): Promise<void> {
  await db
    .insertInto('auth_failures')
    .values({
      tenant_id: input.tenantId,
      key_id: input.keyId,
      reason: input.reason,
      first_at: input.at,
      last_at: input.at,
      attempts: 1,
      user_agent: clip(input.userAgent, MAX_USER_AGENT),
    })
    .onConflict((oc) =>
      oc.columns(['tenant_id', 'key_id', 'reason']).doUpdateSet({
        attempts: sql`auth_failures.attempts + 1`,
        last_at: sql`case when excluded.last_at > auth_failures.last_at then excluded.last_at else auth_failures.last_at end`,
        user_agent: sql`coalesce(excluded.user_agent, auth_failures.user_agent)`,
      }),
    )
    .execute();
}

export function createAuthFailuresRepo(db: Kysely<Database>, tenantId: TenantId): AuthFailuresStore {
  return {
    async list(sinceIso) {
      const rows = await db
        .selectFrom('auth_failures')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('last_at', '>=', sinceIso)
        .orderBy('last_at', 'desc')
        .limit(100)
        .execute();
      return rows.map((r) => ({
        keyId: r.key_id,
        reason: r.reason as AuthFailureReason,
        firstAt: r.first_at,
        lastAt: r.last_at,
        attempts: Number(r.attempts),
        userAgent: r.user_agent,
      }));
    },
  };
}

/** The identity-provider profile row: client, User-Agent (in `state`), first and last seen. */
export function createIdpProfileRepo(db: Kysely<Database>, tenantId: TenantId): IdpProfileStore {
  return {
    async get() {
      const r = await db.selectFrom('idp_profiles').selectAll().where('tenant_id', '=', tenantId).executeTakeFirst();
      if (!r) return undefined;
      let userAgent: string | null;
      try {
        const state = JSON.parse(r.state) as { userAgent?: unknown };
        userAgent = typeof state.userAgent === 'string' ? state.userAgent : null;
      } catch {
        userAgent = null;
      }
      return { client: r.client, userAgent, firstSeenAt: r.first_seen_at, lastSeenAt: r.last_seen_at };
    },
    async observe({ client, userAgent, at }) {
      const state = JSON.stringify({ userAgent: clip(userAgent, MAX_USER_AGENT) });
      await db
        .insertInto('idp_profiles')
        .values({ tenant_id: tenantId, client, first_seen_at: at, last_seen_at: at, state })
        .onConflict((oc) =>
          oc.column('tenant_id').doUpdateSet({
            // A different client (the organisation switched identity providers) starts over.
            first_seen_at: sql`case when idp_profiles.client = excluded.client then idp_profiles.first_seen_at else excluded.first_seen_at end`,
            client: sql`excluded.client`,
            last_seen_at: sql`case when excluded.last_seen_at > idp_profiles.last_seen_at then excluded.last_seen_at else idp_profiles.last_seen_at end`,
            state: sql`excluded.state`,
          }),
        )
        .execute();
    },
  };
}
