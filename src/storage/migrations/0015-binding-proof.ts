// Proven, exclusive sign-in bindings (issue #18 part D). Additive, and never fails on the data a
// deployed database holds:
//  - sign_in_bindings gains `status` (verified | unverified | conflict), how and by whom it was
//    proven, and since when it has been unverified. Every binding that exists before this
//    migration was made without proof: it becomes `unverified` (it keeps routing sign-ins until
//    the operator's grace period, SSO_UNVERIFIED_BINDING_GRACE_DAYS, runs out, counted from now).
//  - Duplicates (one tenant id / domain / issuer bound by several organisations, which 0003
//    allowed) are resolved here, deterministically: the binding made first (created_at, then
//    organisation id) stays `unverified`; every later one becomes `conflict` and routes nothing.
//    The first binding is the one the other organisations' admins saw refused-or-working for
//    longest; either side can still take the value by proving it (a proof beats an unproven
//    binding, never a proven one), and the operator can move it (`wiggledesk binding move`).
//  - A UNIQUE index on (provider, value) over every non-conflict row makes "one organisation at a
//    time" a database rule: two concurrent claims cannot both win.
//  - sign_in_identities gains `binding_value`: the tenant id / domain / issuer the link came
//    through, so a link ends with its binding. Backfilled from the subject where it carries it
//    (Microsoft `tid/oid`, generic `issuer sub`); Google links stay NULL (the domain is not in the
//    subject) and are treated as belonging to every Google binding of their organisation.
//  - sign_in_binding_challenges: pending DNS TXT challenges, one per organisation and value; not
//    exclusive (a pending claim must not block the owner).
//  - sign_in_binding_proofs: pending admin sign-ins that prove a binding (state, nonce, PKCE).
import { sql, type Kysely } from 'kysely';
import type { SqlDialectName } from '../kysely/dialect-name.js';

export async function up(db: Kysely<unknown>, dialect: SqlDialectName): Promise<void> {
  const now = new Date().toISOString();
  for (const [name, notNullDefault] of [
    ['status', 'unverified'],
    ['method', undefined],
    ['verified_at', undefined],
    ['verified_by', undefined],
    ['unverified_since', undefined],
  ] as const) {
    await db.schema
      .alterTable('sign_in_bindings')
      .addColumn(name, 'text', (c) => (notNullDefault ? c.notNull().defaultTo(notNullDefault) : c))
      .execute();
  }
  await sql`update sign_in_bindings set status = 'unverified', unverified_since = ${now}`.execute(db);

  // Duplicates: the first binding of each value keeps it (unverified); later ones are conflicts.
  const rows = await sql<{ tenant_id: string; provider: string; value: string }>`
    select tenant_id, provider, value from sign_in_bindings order by provider, value, created_at, tenant_id`.execute(db);
  const seen = new Set<string>();
  for (const r of rows.rows) {
    const key = `${r.provider}\u0000${r.value}`;
    if (!seen.has(key)) {
      seen.add(key);
      continue;
    }
    await sql`update sign_in_bindings set status = 'conflict' where tenant_id = ${r.tenant_id} and provider = ${r.provider} and value = ${r.value}`.execute(db);
  }
  await sql`create unique index sign_in_bindings_owner on sign_in_bindings (provider, value) where status <> 'conflict'`.execute(db);

  await db.schema.alterTable('sign_in_identities').addColumn('binding_value', 'text').execute();
  if (dialect === 'postgres') {
    await sql`update sign_in_identities set binding_value = split_part(subject, '/', 1) where provider = 'microsoft' and position('/' in subject) > 0`.execute(db);
    await sql`update sign_in_identities set binding_value = split_part(subject, ' ', 1) where provider = 'oidc' and position(' ' in subject) > 0`.execute(db);
  } else {
    await sql`update sign_in_identities set binding_value = substr(subject, 1, instr(subject, '/') - 1) where provider = 'microsoft' and instr(subject, '/') > 0`.execute(db);
    await sql`update sign_in_identities set binding_value = substr(subject, 1, instr(subject, ' ') - 1) where provider = 'oidc' and instr(subject, ' ') > 0`.execute(db);
  }
  await db.schema.createIndex('sign_in_identities_binding').on('sign_in_identities').columns(['tenant_id', 'provider', 'binding_value']).execute();

  await db.schema
    .createTable('sign_in_binding_challenges')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('token', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('checked_at', 'text')
    .addColumn('last_result', 'text')
    .addPrimaryKeyConstraint('sign_in_binding_challenges_pk', ['tenant_id', 'provider', 'value'])
    .execute();

  await db.schema
    .createTable('sign_in_binding_proofs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('code_verifier', 'text', (c) => c.notNull())
    .addColumn('redirect_uri', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sign_in_binding_proofs_expires').on('sign_in_binding_proofs').column('expires_at').execute();
}
