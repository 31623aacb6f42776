// The transactional outbox (issue #13): every change from SCIM, Bulk and the console writes its
// events in its own transaction, from one place (services/events/record-events.ts); a rolled-back
// change leaves no event; a change without its event cannot commit; on PostgreSQL a reader never
// skips a row that an older transaction commits later.
import { expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { describeEachDialect } from '../support/each-dialect.js';
import { GROUP_SCHEMA, PATCH_OP, USER_SCHEMA, json } from '../support/test-app.js';
import { signedIn } from '../http/console-client.js';
import { recordChange } from '../../src/services/events/record-events.js';
import { EVENT_ID_PATTERN } from '../../src/services/events/event-id.js';
import { UnrecordedChange, type EventPosition, type StoredEvent } from '../../src/storage/ports.js';
import { testActivity } from '../support/activity-entry.js';
import type { EventData } from '../../src/domain/events.js';

const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';

const activity = (resourceId: string) => testActivity(resourceId);

describeEachDialect('Outbox', (t, dialect) => {
  let n = 0;
  const uniq = (p = 'ev') => `${p}.${Date.now().toString(36)}.${n++}@outbox.example`;
  const store = () => t().services.platform.forTenant(t().org.id);
  let cursor: EventPosition | undefined;

  /** Events written since the last call, in stream order. */
  async function newEvents(): Promise<Array<StoredEvent & { d: EventData }>> {
    const out: Array<StoredEvent & { d: EventData }> = [];
    for (;;) {
      const page = await store().outbox.read({ after: cursor, types: undefined, limit: 100 });
      cursor = page.next;
      out.push(...page.events.map((e) => ({ ...e, d: JSON.parse(e.data) as EventData })));
      if (page.events.length < 100) return out;
    }
  }

  async function postUser(extra: Record<string, unknown> = {}): Promise<{ id: string; userName: string }> {
    const userName = uniq();
    const r = await t().scim.post('/Users', { schemas: [USER_SCHEMA], userName, displayName: 'Ada', emails: [{ value: userName, type: 'work', primary: true }], ...extra });
    expect(r.statusCode, r.body).toBe(201);
    return { id: json(r).id as string, userName };
  }

  it('SCIM user lifecycle: created, updated (changed paths), deactivated, reactivated, deleted; thin data, ETag version, activity id', async () => {
    await newEvents();
    const u = await postUser({ externalId: 'ext-1', name: { givenName: 'Ada', familyName: 'L' } });
    let [e] = await newEvents();
    expect(e!.type).toBe('user.created');
    expect(e!.id).toMatch(EVENT_ID_PATTERN);
    expect(e!.d.resource).toEqual({ type: 'User', id: u.id, externalId: 'ext-1', version: 'W/"1"' });
    expect(e!.d.user).toEqual({ id: u.id, externalId: 'ext-1', userName: u.userName, displayName: 'Ada', active: true, emails: [{ value: u.userName, type: 'work', primary: true }] });
    expect(e!.d.changedAttributes).toEqual(expect.arrayContaining(['userName', 'displayName', 'emails', 'name.givenName']));
    expect(e!.d.tenantId).toBe(t().org.id);
    const act = await store().activity.find(Number(e!.d.activityId));
    expect(act?.resourceId).toBe(u.id);
    expect(act?.method).toBe('POST');
    // Thin data: the user's full record (name, …) is not in the event.
    expect(Object.keys(e!.d.user!).sort()).toEqual(['active', 'displayName', 'emails', 'externalId', 'id', 'userName']);

    const patch = (ops: unknown[]) => t().scim.patch(`/Users/${u.id}`, { schemas: [PATCH_OP], Operations: ops });
    expect((await patch([{ op: 'replace', path: 'name.givenName', value: 'Augusta' }, { op: 'replace', path: 'displayName', value: 'Augusta' }])).statusCode).toBe(200);
    [e] = await newEvents();
    expect(e!.type).toBe('user.updated');
    expect(e!.d.changedAttributes).toEqual(['displayName', 'name.givenName']);
    expect(e!.d.resource.version).toBe('W/"2"');

    expect((await patch([{ op: 'replace', path: 'active', value: false }])).statusCode).toBe(200);
    [e] = await newEvents();
    expect(e!.type).toBe('user.deactivated');
    expect(e!.d.user?.active).toBe(false);
    expect(e!.d.changedAttributes).toEqual(['active']);

    // A no-op PATCH changes nothing and emits nothing.
    expect((await patch([{ op: 'replace', path: 'active', value: false }])).statusCode).toBe(200);
    expect(await newEvents()).toEqual([]);

    const put = await t().scim.put(`/Users/${u.id}`, { schemas: [USER_SCHEMA], userName: u.userName, active: true, displayName: 'Augusta' });
    expect(put.statusCode, put.body).toBe(200);
    [e] = await newEvents();
    expect(e!.type).toBe('user.reactivated');
    expect(e!.d.resource.version).toBe(json(put).meta.version);

    expect((await t().scim.delete(`/Users/${u.id}`)).statusCode).toBe(204);
    const events = await newEvents();
    expect(events.map((x) => x.type)).toEqual(['user.deleted']);
    expect(events[0]!.d.resource.version).toBe(`W/"${Number(/\d+/.exec(json(put).meta.version as string)![0]) + 1}"`);
    expect(events[0]!.d.user?.userName).toBe(u.userName);
  });

  it('groups: created with members, one group.user_added per member (100-member PATCH gives 100), removed, renamed, deleted; op order kept', async () => {
    const users = await Promise.all(Array.from({ length: 100 }, () => postUser()));
    await newEvents();
    const r = await t().scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: `G ${uniq()}`, members: users.slice(0, 2).map((u) => ({ value: u.id })) });
    expect(r.statusCode, r.body).toBe(201);
    const g = json(r).id as string;
    let events = await newEvents();
    expect(events.map((e) => e.type)).toEqual(['group.created', 'group.user_added', 'group.user_added']);
    expect(new Set(events.slice(1).map((e) => e.d.user?.id))).toEqual(new Set([users[0]!.id, users[1]!.id]));
    expect(events[1]!.d.group?.id).toBe(g);
    expect(events[1]!.d.resource).toMatchObject({ type: 'Group', id: g });

    const patch = (ops: unknown[]) => t().scim.patch(`/Groups/${g}`, { schemas: [PATCH_OP], Operations: ops });
    expect((await patch([{ op: 'add', path: 'members', value: users.map((u) => ({ value: u.id })) }])).statusCode).toBe(204);
    events = await newEvents();
    // Two were members already: 98 added.
    expect(events.length).toBe(98);
    expect(events.every((e) => e.type === 'group.user_added' && e.d.resource.version === 'W/"2"')).toBe(true);
    expect(events.every((e) => e.d.activityId === events[0]!.d.activityId)).toBe(true);

    // remove then add the same member in one request: the events keep that order.
    expect((await patch([{ op: 'remove', path: `members[value eq "${users[5]!.id}"]` }, { op: 'add', path: 'members', value: [{ value: users[5]!.id }] }])).statusCode).toBe(204);
    events = await newEvents();
    expect(events.map((e) => [e.type, e.d.user?.id])).toEqual([
      ['group.user_removed', users[5]!.id],
      ['group.user_added', users[5]!.id],
    ]);

    expect((await patch([{ op: 'replace', path: 'displayName', value: 'Renamed' }, { op: 'remove', path: 'members' }])).statusCode).toBe(204);
    events = await newEvents();
    expect(events[0]!.type).toBe('group.updated');
    expect(events[0]!.d.changedAttributes).toEqual(['displayName']);
    expect(events.slice(1).map((e) => e.type)).toEqual(Array(100).fill('group.user_removed'));

    // Nested group: a group.updated of "members", no user event.
    const child = json(await t().scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: `C ${uniq()}` })).id as string;
    await newEvents();
    expect((await patch([{ op: 'add', path: 'members', value: [{ value: child }] }])).statusCode).toBe(204);
    events = await newEvents();
    expect(events.map((e) => [e.type, e.d.changedAttributes])).toEqual([['group.updated', ['members']]]);

    expect((await t().scim.delete(`/Groups/${g}`)).statusCode).toBe(204);
    expect((await newEvents()).map((e) => e.type)).toEqual(['group.deleted']);
  });

  it('Bulk: each operation commits its own events; a failed operation leaves none', async () => {
    await newEvents();
    const userName = uniq('bulk');
    const r = await t().scim.post('/Bulk', {
      schemas: [BULK_REQUEST],
      Operations: [
        { method: 'POST', path: '/Users', bulkId: 'u1', data: { schemas: [USER_SCHEMA], userName } },
        { method: 'POST', path: '/Users', bulkId: 'dup', data: { schemas: [USER_SCHEMA], userName } },
        { method: 'POST', path: '/Groups', bulkId: 'g1', data: { schemas: [GROUP_SCHEMA], displayName: `B ${uniq()}`, members: [{ value: 'bulkId:u1' }] } },
      ],
    });
    expect(r.statusCode, r.body).toBe(200);
    expect(json(r).Operations.map((o: { status: string }) => o.status)).toEqual(['201', '409', '201']);
    expect((await newEvents()).map((e) => e.type)).toEqual(['user.created', 'group.created', 'group.user_added']);
  });

  it('console deactivate/reactivate write user.deactivated / user.reactivated with the admin as actor', async () => {
    const u = await postUser();
    await newEvents();
    const admin = await signedIn(t(), t().org);
    await admin.get(`/console/users/${u.id}`);
    expect((await admin.post(`/console/users/${u.id}/deactivate`)).statusCode).toBe(303);
    expect((await admin.post(`/console/users/${u.id}/reactivate`)).statusCode).toBe(303);
    const events = await newEvents();
    expect(events.map((e) => e.type)).toEqual(['user.deactivated', 'user.reactivated']);
    const act = await store().activity.find(Number(events[0]!.d.activityId));
    expect(act?.keyId).toBeNull();
    expect(act?.actor).toBeTruthy();
  });

  it('a rolled-back change leaves no event (a failing SCIM request and a transaction that throws)', async () => {
    const u = await postUser();
    await newEvents();
    // First op applies, the second is refused: 400, nothing kept.
    const r = await t().scim.patch(`/Users/${u.id}`, {
      schemas: [PATCH_OP],
      Operations: [
        { op: 'replace', path: 'displayName', value: 'Changed' },
        { op: 'replace', path: 'userName', value: 42 },
      ],
    });
    expect(r.statusCode).toBe(400);
    expect(await newEvents()).toEqual([]);

    const id = randomUUID();
    await expect(
      store().transaction(async (tx) => {
        const s = await tx.users.insert(id, { schemas: [USER_SCHEMA], userName: uniq() }, new Date().toISOString());
        await recordChange(tx, activity(id), [{ kind: 'created', resourceType: 'User', after: s }]);
        throw new Error('boom after the event was written');
      }),
    ).rejects.toThrow('boom');
    expect(await store().users.findById(id)).toBeUndefined();
    expect(await newEvents()).toEqual([]);
  });

  it('a change without its event cannot commit: the transaction is rolled back with UnrecordedChange', async () => {
    await newEvents();
    const id = randomUUID();
    await expect(store().transaction((tx) => tx.users.insert(id, { schemas: [USER_SCHEMA], userName: uniq() }, new Date().toISOString()))).rejects.toBeInstanceOf(UnrecordedChange);
    expect(await store().users.findById(id)).toBeUndefined();

    // An event about another resource does not cover it either.
    const other = await postUser();
    await newEvents();
    const g = json(await t().scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: `N ${uniq()}` })).id as string;
    await newEvents();
    const err = await store()
      .transaction(async (tx) => {
        const added = await tx.members.add(g, [{ value: other.id, type: 'User' }], new Date().toISOString());
        const group = (await tx.groups.touch(g, new Date().toISOString()))!;
        // Records the group's update but forgets the membership event.
        await recordChange(tx, activity(g), [{ kind: 'updated', resourceType: 'Group', before: group, after: group }]);
        return added;
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnrecordedChange);
    expect((err as UnrecordedChange).keys).toEqual([`member:${g}:${other.id}`]);
    expect((await store().members.memberIds(g)).size).toBe(0);
    expect(await newEvents()).toEqual([]);

    // Writes outside a transaction are refused before they reach the database.
    await expect(store().users.insert(randomUUID(), { schemas: [USER_SCHEMA], userName: uniq() }, new Date().toISOString())).rejects.toThrow(/inside store.transaction/);
    await expect(store().users.delete(other.id)).rejects.toThrow(/inside store.transaction/);
    expect(await store().users.findById(other.id)).toBeDefined();
  });

  if (dialect === 'postgres') {
    it('PostgreSQL: an older transaction committing after a newer one is never skipped by the reader', async () => {
      await newEvents();
      const mk = () => ({ id: randomUUID(), userName: uniq('order') });
      const a = mk();
      const b = mk();
      let releaseA!: () => void;
      const aMayCommit = new Promise<void>((resolve) => (releaseA = resolve));
      let aWritten!: () => void;
      const aHasWritten = new Promise<void>((resolve) => (aWritten = resolve));
      // A starts first (smaller xid, smaller seq) and commits last. (It records an event without a
      // user row: a user insert would wait on B's resource-count row lock, not what is tested here.)
      const now = new Date().toISOString();
      const txA = store().transaction(async (tx) => {
        const s = { id: a.id, version: 1, created: now, lastModified: now, doc: { schemas: [USER_SCHEMA], userName: a.userName } };
        await recordChange(tx, activity(a.id), [{ kind: 'created', resourceType: 'User', after: s }]);
        aWritten();
        await aMayCommit;
      });
      await aHasWritten;
      await store().transaction(async (tx) => {
        const s = await tx.users.insert(b.id, { schemas: [USER_SCHEMA], userName: b.userName }, new Date().toISOString());
        await recordChange(tx, activity(b.id), [{ kind: 'created', resourceType: 'User', after: s }]);
      });
      // B has committed, A has not: a naive `seq > last` reader would return B now and later skip A.
      expect(await newEvents()).toEqual([]);
      releaseA();
      await txA;
      const events = await newEvents();
      expect(events.map((e) => e.resourceId)).toEqual([a.id, b.id]);
      expect(events[0]!.position.seq).toBeLessThan(events[1]!.position.seq);
    });
  } else {
    it('SQLite: writers are serialised, so seq order is commit order and the cursor follows seq', async () => {
      await newEvents();
      const ids = await Promise.all(Array.from({ length: 5 }, () => postUser()));
      const events = await newEvents();
      expect(events.map((e) => e.position.seq)).toEqual([...events.map((e) => e.position.seq)].sort((x, y) => x - y));
      expect(new Set(events.map((e) => e.resourceId))).toEqual(new Set(ids.map((u) => u.id)));
    });
  }

  it('reads are tenant-scoped and filter by type; an empty page moves the cursor to the horizon', async () => {
    const other = await t().newTenant();
    await other.scim.post('/Users', { schemas: [USER_SCHEMA], userName: uniq('other') });
    const mine = await store().outbox.read({ after: undefined, types: undefined, limit: 100 });
    expect(mine.events.every((e) => JSON.parse(e.data).tenantId === t().org.id)).toBe(true);
    const theirs = await t().services.platform.forTenant(other.org.id).outbox.read({ after: undefined, types: ['user.created'], limit: 100 });
    expect(theirs.events.map((e) => e.type)).toEqual(['user.created']);
    const none = await t().services.platform.forTenant(other.org.id).outbox.read({ after: undefined, types: ['group.deleted'], limit: 100 });
    expect(none.events).toEqual([]);
    expect(none.next.seq >= 0).toBe(true);
  });
});
