// One organisation's whole directory, read twice: through its own SCIM key (what a client sees:
// documents, meta.version, members, User.groups) and straight from the tables (membership rows,
// email side rows, resource_counts). Two snapshots compare equal only if nothing of the tenant
// changed. Used by the isolation matrix and by the fuzz tests' "no partial write" check.
import { expect } from 'vitest';
import type { ScimClient, TestApp } from '../support/test-app.js';
import { json } from '../support/test-app.js';

export interface TenantState {
  readonly users: Array<Record<string, unknown>>;
  readonly groups: Array<Record<string, unknown>>;
  readonly rows: Record<string, Array<Record<string, unknown>>>;
}

export async function tenantState(t: TestApp, tenantId: string, scim: ScimClient): Promise<TenantState> {
  /** Every resource of a type, page by page (maxPageSize may be small in limit tests). */
  const list = async (path: string) => {
    const out: Array<Record<string, unknown>> = [];
    for (;;) {
      const r = await scim.get(`${path}?count=1000&startIndex=${out.length + 1}`);
      expect(r.statusCode, r.body).toBe(200);
      const body = json(r);
      out.push(...(body.Resources as Array<Record<string, unknown>>));
      if (body.Resources.length === 0 || out.length >= body.totalResults) {
        expect(out).toHaveLength(body.totalResults);
        return out;
      }
    }
  };
  const rows = await tenantRows(t, tenantId);
  return {
    users: await list('/Users'),
    groups: await list('/Groups'),
    rows,
  };
}

/** The tenant's rows, straight from the tables: cheap enough to take around every fuzz case. */
export async function tenantRows(t: TestApp, tenantId: string, options: { docs?: boolean } = {}): Promise<Record<string, Array<Record<string, unknown>>>> {
  const db = t.composition.db.db;
  const rows = {
    users: await db
      .selectFrom('scim_users')
      .select(['id', 'user_name', 'user_name_folded', 'external_id', 'display_name', 'email', 'active', 'version', 'updated_at', ...(options.docs ? (['doc'] as const) : [])])
      .where('tenant_id', '=', tenantId)
      .orderBy('id')
      .execute(),
    groups: await db
      .selectFrom('scim_groups')
      .select(['id', 'display_name', 'display_name_folded', 'external_id', 'version', 'updated_at', ...(options.docs ? (['doc'] as const) : [])])
      .where('tenant_id', '=', tenantId)
      .orderBy('id')
      .execute(),
    members: await db
      .selectFrom('group_members')
      .select(['group_id', 'member_id', 'member_type', 'user_id', 'child_group_id'])
      .where('tenant_id', '=', tenantId)
      .orderBy('group_id')
      .orderBy('member_id')
      .execute(),
    emails: await db
      .selectFrom('scim_user_emails')
      .select(['user_id', 'value_folded', 'type_folded'])
      .where('tenant_id', '=', tenantId)
      .orderBy('user_id')
      .orderBy('value_folded')
      .orderBy('type_folded')
      .execute(),
    counts: await db.selectFrom('resource_counts').select(['resource_type', 'count']).where('tenant_id', '=', tenantId).orderBy('resource_type').execute(),
  };
  return Object.fromEntries(Object.entries(rows).map(([k, v]) => [k, v.map((r) => ({ ...r }) as Record<string, unknown>)]));
}

/** Every string of the tenant's data a client could recognise: ids, names, emails, external ids. */
export function markersOf(state: TenantState): string[] {
  const out = new Set<string>();
  const walk = (v: unknown, key: string) => {
    if (typeof v === 'string') {
      // Schema URNs, timestamps, versions and derived URLs are the same shape in every tenant.
      if (['schemas', 'created', 'lastModified', 'version', 'resourceType', 'type', 'location', '$ref'].includes(key)) return;
      if (v.length >= 6) out.add(v);
      return;
    }
    if (Array.isArray(v)) for (const x of v) walk(x, key);
    else if (typeof v === 'object' && v !== null) for (const [k, x] of Object.entries(v)) walk(x, k);
  };
  walk([...state.users, ...state.groups], '');
  return [...out];
}
