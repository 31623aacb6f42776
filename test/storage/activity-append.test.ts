// Queued activity entries (reads, failures) are written in batches: full chunks through one
// compiled multi-row INSERT, the rest through one built per batch (activity-repo.ts). Every
// entry arrives once, with its own values, whatever the batch size.
import { describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { buildTestApp } from '../support/test-app.js';
import type { ActivityEntry } from '../../src/storage/ports.js';

for (const dialect of DIALECTS) {
  describe(`activity batches [${dialect}]`, () => {
    it.each([2, 50, 123])('writes a batch of %i entries, each with its own values', async (count) => {
      const t = await buildTestApp(dialect);
      try {
        const store = t.services.platform.forTenant(t.org.id);
        const entries: ActivityEntry[] = Array.from({ length: count }, (_, i) => ({
          at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
          keyId: i % 3 === 0 ? null : `key${i}`,
          actor: null,
          method: i % 2 ? 'GET' : 'POST',
          path: `/scim/v2/Users/u${i}`,
          status: 200 + (i % 5),
          scimType: i % 7 === 0 ? 'invalidFilter' : null,
          durationMs: i / 4,
          resourceType: 'User',
          resourceId: `u${i}`,
          summary: i % 4 === 0 ? JSON.stringify({ filter: `userName eq "n${i}"` }) : null,
        }));
        await store.activity.append(entries);
        const rows = await store.activity.list({ errorsOnly: false, resourceId: undefined, beforeSeq: undefined, limit: 500 });
        expect(rows).toHaveLength(count);
        const byId = new Map(rows.map((r) => [r.resourceId, r]));
        for (const e of entries) expect(byId.get(e.resourceId)).toMatchObject(e);
      } finally {
        await t.close();
      }
    });
  });
}
