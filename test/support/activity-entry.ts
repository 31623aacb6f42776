// An activity entry for tests that write a change (and its events) through store.transaction()
// directly, without a request: recordChange() needs the activity row that caused the change.
import type { ActivityEntry } from '../../src/storage/ports.js';

export function testActivity(resourceId: string, status = 200): ActivityEntry {
  return { at: new Date().toISOString(), keyId: null, actor: 'test', method: 'TEST', path: '/test', status, scimType: null, durationMs: 0, resourceType: 'User', resourceId, summary: null };
}
