// User lifecycle over SCIM on every configured dialect (issue #14): suspension keeps memberships,
// DELETE soft-deletes under the retention policy (404, absent from filters, userName and externalId
// free), Restore under the same id, erasure per policy and by the retention job (injected clock),
// and claims of manual users under the match / approve / never policies.
import { expect, it } from 'vitest';
import { describeEachDialect } from '../support/each-dialect.js';
import { GROUP_SCHEMA, PATCH_OP, USER_SCHEMA, json, type TestApp } from '../support/test-app.js';
import { cliActor } from '../../src/services/lifecycle/lifecycle.js';
import { ServiceError } from '../../src/services/organizations/organizations.js';

const DAY = 86_400_000;

/** A clock the test moves by hand: retention is tested without sleeping. */
export function manualClock(start = Date.now()) {
  let t = start;
  return { now: () => new Date(t), advance: (ms: number) => void (t += ms) };
}

const clock = manualClock();
const ADMIN = cliActor('test');

describeEachDialect(
  'User lifecycle over SCIM',
  (t) => {
    let n = 0;
    const uniq = (p = 'user') => `${p}.${Date.now().toString(36)}.${n++}@contoso.example`;
    const store = (app: TestApp = t()) => app.services.platform.forTenant(app.org.id);
    const setPolicy = (p: { claim?: string; onDelete?: string; retentionDays?: number }) => t().services.lifecycle.setPolicy(store(), ADMIN, p);
    const createUser = async (userName: string, extra: Record<string, unknown> = {}) => {
      const r = await t().scim.post('/Users', { schemas: [USER_SCHEMA], userName, active: true, ...extra });
      expect(r.statusCode, r.body).toBe(201);
      return json(r).id as string;
    };
    const count = async (filter: string) => json(await t().scim.get(`/Users?filter=${encodeURIComponent(filter)}`)).totalResults as number;

    it('active:false suspends: the user stays, with its group memberships; reactivation needs no re-add', async () => {
      await setPolicy({ claim: 'match', onDelete: 'retain', retentionDays: 30 });
      const id = await createUser(uniq());
      const g = await t().scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: `G ${uniq()}`, members: [{ value: id }] });
      expect(g.statusCode).toBe(201);
      const off = await t().scim.patch(`/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: false } }] });
      expect(off.statusCode, off.body).toBe(200);
      expect(json(off).active).toBe(false);
      expect(json(off).groups).toEqual([expect.objectContaining({ value: json(g).id })]);
      const on = await t().scim.patch(`/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: true }] });
      expect(json(on).groups).toHaveLength(1);
      const history = await store().activity.list({ errorsOnly: false, resourceId: id, beforeSeq: undefined, limit: 10 });
      const labels = history.map((h) => (h.summary ? (JSON.parse(h.summary) as { lifecycle?: string[] }).lifecycle : undefined)).flat();
      expect(labels).toContain('suspended');
      expect(labels).toContain('reactivated');
    });

    it('DELETE soft-deletes: 404, absent from lists and filters, userName and externalId free at once; Restore is refused while the userName is taken, then brings back the same id and groups', async () => {
      await setPolicy({ onDelete: 'retain', retentionDays: 30 });
      const userName = uniq('Deleted');
      const id = await createUser(userName, { externalId: `ext-${userName}` });
      const g = json(await t().scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: `G ${uniq()}`, members: [{ value: id }] })).id as string;

      expect((await t().scim.delete(`/Users/${id}`)).statusCode).toBe(204);
      expect((await t().scim.get(`/Users/${id}`)).statusCode).toBe(404);
      expect((await t().scim.delete(`/Users/${id}`)).statusCode).toBe(404);
      expect(await count(`userName eq "${userName}"`)).toBe(0);
      expect(await count(`externalId eq "ext-${userName}"`)).toBe(0);
      const all = json(await t().scim.get('/Users?count=1000')).Resources as Array<{ id: string }>;
      expect(all.map((u) => u.id)).not.toContain(id);
      const members = json(await t().scim.get(`/Groups/${g}`)).members as unknown[] | undefined;
      expect(members ?? []).toEqual([]);

      const listed = await t().services.lifecycle.listDeleted(store(), 0, 100);
      const row = listed.rows.find((r) => r.id === id)!;
      expect(row.userName).toBe(userName);
      expect(new Date(row.purgeAfter).getTime() - new Date(row.deletedAt).getTime()).toBe(30 * DAY);

      // The same userName and externalId are free for a new user…
      const other = await createUser(userName, { externalId: `ext-${userName}` });
      expect(other).not.toBe(id);
      // …so Restore says why it cannot proceed, and changes nothing.
      const refused = await t().services.lifecycle.restore(store(), ADMIN, id).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(ServiceError);
      expect((refused as ServiceError).message).toMatch(/another user now has the userName/);
      expect((await t().services.lifecycle.listDeleted(store(), 0, 100)).rows.map((r) => r.id)).toContain(id);

      expect((await t().scim.delete(`/Users/${other}`)).statusCode).toBe(204);
      const restored = await t().services.lifecycle.restore(store(), ADMIN, id);
      expect(restored.id).toBe(id);
      const back = await t().scim.get(`/Users/${id}`);
      expect(back.statusCode).toBe(200);
      expect(json(back).userName).toBe(userName);
      expect(json(back).groups).toEqual([expect.objectContaining({ value: g })]);
      expect(await count(`userName eq "${userName}"`)).toBe(1);
    });

    it('retention: the purge job erases only after the period, once, on one instance at a time', async () => {
      await setPolicy({ onDelete: 'retain', retentionDays: 7 });
      const id = await createUser(uniq('Purged'), { externalId: 'ext-purged' });
      expect((await t().scim.delete(`/Users/${id}`)).statusCode).toBe(204);
      const lifecycle = t().services.lifecycle;

      clock.advance(6 * DAY);
      expect((await lifecycle.runPurge()).erased.map((e) => e.id)).not.toContain(id);
      expect(await store().lifecycle.findDeleted(id)).toBeDefined();

      clock.advance(1 * DAY + 1000);
      // Another instance holds the lease: this one does nothing.
      const jobs = (t().composition as unknown as { services: { lifecycle: typeof lifecycle } }).services.lifecycle;
      expect(jobs).toBe(lifecycle);
      const db = t().composition.db.db;
      await db.insertInto('lifecycle_leases').values({ name: 'user-purge', holder: 'other-instance', expires_at: new Date(clock.now().getTime() + 60_000).toISOString() }).execute();
      expect(await lifecycle.runPurge('this-instance')).toEqual({ ran: false, erased: [] });
      await db.deleteFrom('lifecycle_leases').where('holder', '=', 'other-instance').execute();

      const first = await lifecycle.runPurge();
      expect(first.ran).toBe(true);
      expect(first.erased.map((e) => e.id)).toContain(id);
      expect(await store().lifecycle.findDeleted(id)).toBeUndefined();
      expect(await store().lifecycle.tombstone(id)).toMatchObject({ id, externalId: 'ext-purged' });
      // Idempotent: nothing left to do.
      expect((await lifecycle.runPurge()).erased.map((e) => e.id)).not.toContain(id);
      const restore = await lifecycle.restore(store(), ADMIN, id).catch((e: unknown) => e);
      expect((restore as ServiceError).message).toMatch(/erased/);
    });

    it('on-delete erase: DELETE erases at once and leaves a tombstone', async () => {
      await setPolicy({ onDelete: 'erase' });
      const id = await createUser(uniq('Erased'));
      expect((await t().scim.delete(`/Users/${id}`)).statusCode).toBe(204);
      expect(await store().lifecycle.findDeleted(id)).toBeUndefined();
      expect(await store().lifecycle.tombstone(id)).toMatchObject({ id });
      await setPolicy({ onDelete: 'retain' });
    });

    it('policy values are checked', async () => {
      await expect(setPolicy({ retentionDays: 366 })).rejects.toThrow(/0 to 365/);
      await expect(setPolicy({ claim: 'sometimes' })).rejects.toThrow(/match, approve, never/);
      await expect(setPolicy({ onDelete: 'shred' })).rejects.toThrow(/retain, erase/);
      expect(await setPolicy({ retentionDays: 0 })).toMatchObject({ retentionDays: 0 });
      await setPolicy({ retentionDays: 30 });
    });

    it('claim policy match: the SCIM create links to the manual user (201 with its id); a userName filter finds it first', async () => {
      await setPolicy({ claim: 'match' });
      const email = uniq('Manual');
      const manual = await t().services.lifecycle.addManual(store(), ADMIN, { email, name: 'Manual Person', department: 'Sales' });
      expect(manual.source).toBe('manual');
      const found = json(await t().scim.get(`/Users?filter=${encodeURIComponent(`userName eq "${email}"`)}`));
      expect(found.totalResults).toBe(1);
      expect(found.Resources[0].id).toBe(manual.id);

      const r = await t().scim.post('/Users', { schemas: [USER_SCHEMA], userName: email, externalId: 'entra-1', name: { givenName: 'Manual', familyName: 'Person' }, active: true });
      expect(r.statusCode, r.body).toBe(201);
      expect(json(r).id).toBe(manual.id);
      expect(json(r).externalId).toBe('entra-1');
      expect((await store().users.findById(manual.id))?.source).toBe('scim');
      const history = await store().activity.list({ errorsOnly: false, resourceId: manual.id, beforeSeq: undefined, limit: 10 });
      expect(history.some((h) => h.keyId !== null && h.summary?.includes('"claimed"'))).toBe(true);
      // Now provisioned: a second create is an ordinary uniqueness conflict.
      expect((await t().scim.post('/Users', { schemas: [USER_SCHEMA], userName: email })).statusCode).toBe(409);
    });

    it('claim policy match also matches the primary email, and claims never cross organisations', async () => {
      await setPolicy({ claim: 'match' });
      const email = uniq('ByEmail');
      const manual = await t().services.lifecycle.addManual(store(), ADMIN, { email, name: 'By Email' });
      const other = await t().newTenant();
      const elsewhere = await other.scim.post('/Users', { schemas: [USER_SCHEMA], userName: email });
      expect(elsewhere.statusCode).toBe(201);
      expect(json(elsewhere).id).not.toBe(manual.id);
      const r = await t().scim.post('/Users', { schemas: [USER_SCHEMA], userName: `upn-${email}`, emails: [{ value: email.toUpperCase(), primary: true, type: 'work' }] });
      expect(r.statusCode, r.body).toBe(201);
      expect(json(r).id).toBe(manual.id);
      expect(json(r).userName).toBe(`upn-${email}`);
    });

    it('claim by email still finds the manual user when 60 provisioned users already share that address', async () => {
      await setPolicy({ claim: 'match' });
      const email = uniq('Shared');
      // More owners of the address than the first probe reads: the exact (joined) lookup decides.
      for (let i = 0; i < 60; i++) await createUser(uniq(`sharer${i}`), { emails: [{ value: email, type: 'work' }] });
      const manual = await t().services.lifecycle.addManual(store(), ADMIN, { email, name: 'Shared Inbox' });
      const r = await t().scim.post('/Users', { schemas: [USER_SCHEMA], userName: `upn-${email}`, emails: [{ value: email, primary: true, type: 'work' }] });
      expect(r.statusCode, r.body).toBe(201);
      expect(json(r).id).toBe(manual.id);
    });

    it('claim policy approve: 409 uniqueness saying approval is pending; after approval the retry links; rejection keeps refusing', async () => {
      await setPolicy({ claim: 'approve' });
      const email = uniq('Approve');
      const manual = await t().services.lifecycle.addManual(store(), ADMIN, { email, name: 'Approve Me' });
      const body = { schemas: [USER_SCHEMA], userName: email, displayName: 'From Entra' };
      const first = await t().scim.post('/Users', body);
      expect(first.statusCode).toBe(409);
      expect(json(first).scimType).toBe('uniqueness');
      expect(json(first).detail).toMatch(/pending approval/);
      const pending = await t().services.lifecycle.pendingClaims(store());
      const claim = pending.find((p) => p.claim.userId === manual.id)!;
      expect(claim.claim.doc.displayName).toBe('From Entra');
      expect(claim.manual?.doc.displayName).toBe('Approve Me');

      expect(await t().services.lifecycle.decideClaims(store(), ADMIN, manual.id, 'approved')).toBe(1);
      const retry = await t().scim.post('/Users', body);
      expect(retry.statusCode, retry.body).toBe(201);
      expect(json(retry).id).toBe(manual.id);
      expect(json(retry).displayName).toBe('From Entra');

      const email2 = uniq('Reject');
      const manual2 = await t().services.lifecycle.addManual(store(), ADMIN, { email: email2, name: 'Reject Me' });
      expect((await t().scim.post('/Users', { schemas: [USER_SCHEMA], userName: email2 })).statusCode).toBe(409);
      expect(await t().services.lifecycle.decideClaims(store(), ADMIN, 'all', 'rejected')).toBeGreaterThanOrEqual(1);
      const again = await t().scim.post('/Users', { schemas: [USER_SCHEMA], userName: email2 });
      expect(again.statusCode).toBe(409);
      expect(json(again).detail).toMatch(/rejected/);
      expect((await store().users.findById(manual2.id))?.source).toBe('manual');

      // A PATCH found through the userName filter is gated the same way.
      const email3 = uniq('Patch');
      const manual3 = await t().services.lifecycle.addManual(store(), ADMIN, { email: email3, name: 'Patch Me' });
      const p = await t().scim.patch(`/Users/${manual3.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: 'Entra Name' }] });
      expect(p.statusCode).toBe(409);
      expect(json(p).detail).toMatch(/pending approval/);
      expect((await t().services.lifecycle.pendingClaims(store())).some((c) => c.claim.userId === manual3.id && c.claim.doc.displayName === 'Entra Name')).toBe(true);
      expect((await store().users.findById(manual3.id))?.doc.displayName).toBe('Patch Me');
    });

    it('claim policy never: 409, the manual user stays manual', async () => {
      await setPolicy({ claim: 'never' });
      const email = uniq('Never');
      const manual = await t().services.lifecycle.addManual(store(), ADMIN, { email, name: 'Never Me' });
      const r = await t().scim.post('/Users', { schemas: [USER_SCHEMA], userName: email });
      expect(r.statusCode).toBe(409);
      expect(json(r).scimType).toBe('uniqueness');
      expect(json(r).detail).toMatch(/never/);
      const p = await t().scim.patch(`/Users/${manual.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: false }] });
      expect(p.statusCode).toBe(409);
      expect((await store().users.findById(manual.id))?.source).toBe('manual');
      await setPolicy({ claim: 'match' });
    });
  },
  { clock },
);
