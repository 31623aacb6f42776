// The activity log's indexes (migration 0025, issue #15). A logged request is one row in the
// table, in seq order; only the requests that changed a resource or failed also go into the
// partial index activity_log_changes — a successful read no longer dirties a random index page.
// Checked on both dialects: the index set and its predicate, which rows a resource's history
// holds, and that the history query is answered by the partial index (a query that did not repeat
// its predicate would silently scan the tenant's log).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createActivityRepo } from '../../src/storage/kysely/activity-repo.js';
import type { TenantId } from '../../src/domain/ids.js';
import type { ActivityEntry } from '../../src/storage/ports.js';
import { DIALECTS } from '../support/databases.js';
import { plannedDb, type PlannedDb } from '../support/planned-db.js';

const TENANT = 'org_activity' as TenantId;

const entry = (method: string, resourceId: string | null, status: number, second: number): ActivityEntry => ({
  at: new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString(),
  keyId: 'key-1',
  actor: null,
  method,
  path: resourceId ? `/scim/v2/Users/${resourceId}` : '/scim/v2/Users',
  status,
  scimType: status === 409 ? 'uniqueness' : null,
  durationMs: 1,
  resourceType: 'User',
  resourceId,
  summary: null,
});

describe.each(DIALECTS)('activity log indexes [%s]', (dialect) => {
  let p: PlannedDb;

  beforeAll(async () => {
    p = await plannedDb(dialect);
    await sql`insert into organizations (id, name, name_folded, api_access_approved, created_at) values (${TENANT}, 'Activity', 'activity', 1, '2026-01-01T00:00:00.000Z')`.execute(p.db);
  });

  afterAll(async () => {
    await p?.close();
  });

  it('indexes the log by position, and by resource only the changes and failures', async () => {
    expect(await p.indexesOf('activity_log')).toEqual(['activity_log_changes', 'activity_log_tenant_seq']);
    const changes = (await p.indexSql('activity_log_changes')).toLowerCase().replace(/[()"]|::text/g, '');
    expect(changes).toContain('tenant_id, resource_id, seq');
    expect(changes).toMatch(/where resource_id is not null and method <> 'get' or status >= 400/);
  });

  it("a resource's history is its writes and failures, newest first; its successful reads are in the full log only", async () => {
    const repo = createActivityRepo(p.db, dialect, TENANT);
    await repo.append([
      entry('POST', 'u1', 201, 1),
      entry('GET', 'u1', 200, 2),
      entry('PATCH', 'u1', 200, 3),
      entry('GET', 'u1', 404, 4),
      entry('GET', null, 200, 5),
      entry('PUT', 'u1', 409, 6),
      entry('PATCH', 'u2', 200, 7),
      entry('DELETE', 'u1', 204, 8),
    ]);
    const history = await repo.list({ errorsOnly: false, resourceId: 'u1', beforeSeq: undefined, limit: 10 });
    expect(history.map((h) => `${h.method} ${h.status}`)).toEqual(['DELETE 204', 'PUT 409', 'GET 404', 'PATCH 200', 'POST 201']);
    expect(await repo.list({ errorsOnly: true, resourceId: 'u1', beforeSeq: undefined, limit: 10 })).toHaveLength(2);
    expect(await repo.list({ errorsOnly: false, resourceId: 'u1', beforeSeq: history[1]!.seq, limit: 2 })).toEqual(history.slice(2, 4));
    const all = await repo.list({ errorsOnly: false, resourceId: undefined, beforeSeq: undefined, limit: 10 });
    expect(all).toHaveLength(8);
    // An access request's export: every request about u1, reads included.
    const everything = await repo.list({ errorsOnly: false, resourceId: 'u1', withReads: true, beforeSeq: undefined, limit: 10 });
    expect(everything.map((h) => `${h.method} ${h.status}`)).toEqual(['DELETE 204', 'PUT 409', 'GET 404', 'PATCH 200', 'GET 200', 'POST 201']);
  });

  it('the history query is answered by the partial index', async () => {
    const repo = createActivityRepo(p.db, dialect, TENANT);
    p.sent.length = 0;
    await repo.list({ errorsOnly: false, resourceId: 'u1', beforeSeq: undefined, limit: 10 });
    const [query] = p.sent.filter((q) => /from "activity_log"/.test(q.sql));
    const plan = await p.plan(query!);
    expect(plan).toMatch(/activity_log_changes/);
    expect(plan).not.toMatch(/TEMP B-TREE|Sort/);
  });
});
