// Refused SCIM connections attributed to an organisation's key: one aggregated row per
// (organisation, key, reason), upserted with a counter, so storage stays bounded however often a
// misconfigured identity provider retries.
import { sql, type Kysely } from 'kysely';
import type { Database } from './database.js';
import type { TenantId } from '../../domain/ids.js';
import type { AuthFailureInput, AuthFailureReason, AuthFailuresStore } from '../ports.js';
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
