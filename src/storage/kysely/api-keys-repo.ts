import type { Kysely, Selectable } from 'kysely';
import type { ApiKeysTable, Database } from './database.js';
import type { ApiKeysStore } from '../ports.js';
import { parseScopes, type ApiKeyRecord } from '../../domain/organization.js';
import { trustedTenantId, type TenantId } from '../../domain/ids.js';

const toRecord = (r: Omit<Selectable<ApiKeysTable>, 'secret_hash'>): ApiKeyRecord => ({
  tenantId: trustedTenantId(r.tenant_id),
  id: r.id,
  name: r.name,
  createdBy: r.created_by,
  createdAt: r.created_at,
  lastUsedAt: r.last_used_at,
  revokedAt: r.revoked_at,
  scopes: parseScopes(r.scopes),
});

const COLUMNS = ['tenant_id', 'id', 'name', 'created_by', 'created_at', 'last_used_at', 'revoked_at', 'scopes'] as const;

export function createApiKeysRepo(db: Kysely<Database>, tenantId: TenantId): ApiKeysStore {
  return {
    async create({ id, name, secretHash, createdBy, now, scopes }) {
      const row = { tenant_id: tenantId, id, name, secret_hash: secretHash, created_by: createdBy, created_at: now, last_used_at: null, revoked_at: null, scopes: scopes.join(' ') };
      await db.insertInto('api_keys').values(row).execute();
      return toRecord(row);
    },
    async list() {
      const rows = await db.selectFrom('api_keys').select(COLUMNS).where('tenant_id', '=', tenantId).orderBy('created_at', 'desc').orderBy('id').execute();
      return rows.map(toRecord);
    },
    async find(id) {
      const row = await db.selectFrom('api_keys').select(COLUMNS).where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return row ? toRecord(row) : undefined;
    },
    async revoke(id, now) {
      const r = await db
        .updateTable('api_keys')
        .set({ revoked_at: now })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
  };
}
