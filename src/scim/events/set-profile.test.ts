import { describe, expect, it } from 'vitest';
import {
  canMerge,
  eventsClaimFor,
  filterEvents,
  mergeEvents,
  parsePollRequest,
  parseSetError,
  PollRequestError,
  PROV_ACTIVATE,
  PROV_CREATE_NOTICE,
  PROV_DEACTIVATE,
  PROV_DELETE,
  PROV_PATCH_NOTICE,
  PROV_PUT_NOTICE,
  subjectUri,
  type SetSourceEvent,
} from './set-profile.js';

const ev = (over: Partial<SetSourceEvent>): SetSourceEvent => ({
  id: 'evt_1',
  type: 'user.updated',
  resourceType: 'User',
  resourceId: 'u1',
  externalId: 'alice',
  version: 'W/"2"',
  attributes: ['displayName'],
  method: 'PATCH',
  txn: 'txn1',
  occurredAt: '2026-01-01T00:00:00.000Z',
  ...over,
});

describe('RFC 9967 §2.4 mapping from outbox events', () => {
  it('create: prov:create:notice listing id and the attributes set (§2.4.1)', () => {
    expect(eventsClaimFor(ev({ type: 'user.created', attributes: ['userName', 'emails'] }))).toEqual({ [PROV_CREATE_NOTICE]: { attributes: ['id', 'userName', 'emails'], version: 'W/"2"' } });
  });
  it('update: PATCH → prov:patch:notice, PUT → prov:put:notice, console (no method) → patch', () => {
    expect(Object.keys(eventsClaimFor(ev({ method: 'PATCH' }))!)).toEqual([PROV_PATCH_NOTICE]);
    expect(Object.keys(eventsClaimFor(ev({ method: 'put' }))!)).toEqual([PROV_PUT_NOTICE]);
    expect(Object.keys(eventsClaimFor(ev({ method: null }))!)).toEqual([PROV_PATCH_NOTICE]);
  });
  it('deactivate/reactivate carry the modify notice with it in one SET (§2.1, §2.4.5, §2.4.6)', () => {
    expect(eventsClaimFor(ev({ type: 'user.deactivated', attributes: ['active'] }))).toEqual({ [PROV_PATCH_NOTICE]: { attributes: ['active'], version: 'W/"2"' }, [PROV_DEACTIVATE]: {} });
    expect(eventsClaimFor(ev({ type: 'user.reactivated', attributes: [], method: 'PUT' }))).toEqual({ [PROV_PUT_NOTICE]: { attributes: ['active'], version: 'W/"2"' }, [PROV_ACTIVATE]: {} });
  });
  it('delete has no payload and no qualifier (§2.4.4)', () => {
    expect(eventsClaimFor(ev({ type: 'group.deleted', resourceType: 'Group', version: null }))).toEqual({ [PROV_DELETE]: {} });
  });
  it('membership changes are patch notices on the Group listing members', () => {
    expect(eventsClaimFor(ev({ type: 'group.user_added', resourceType: 'Group', attributes: ['members'] }))).toEqual({ [PROV_PATCH_NOTICE]: { attributes: ['members'], version: 'W/"2"' } });
  });
  it('unknown types map to nothing', () => {
    expect(eventsClaimFor(ev({ type: 'organization.renamed' }))).toBeUndefined();
  });
  it('subject uri is relative to the SCIM base (§2.1)', () => {
    expect(subjectUri('User', 'abc')).toBe('/Users/abc');
    expect(subjectUri('Group', 'a/b')).toBe('/Groups/a%2Fb');
  });
  it('stream filters keep only the wanted URIs', () => {
    const e = eventsClaimFor(ev({ type: 'user.deactivated' }))!;
    expect(filterEvents(e, [PROV_DEACTIVATE])).toEqual({ [PROV_DEACTIVATE]: {} });
    expect(filterEvents(e, [PROV_DELETE])).toBeUndefined();
    expect(filterEvents(e, null)).toBe(e);
  });
  it('aggregates patch notices of one transaction about one subject (§5), never deletes', () => {
    const a = { txn: 't', uri: '/Groups/g', events: eventsClaimFor(ev({ type: 'group.user_added', version: 'W/"3"' }))! };
    const b = { txn: 't', uri: '/Groups/g', events: eventsClaimFor(ev({ type: 'group.user_removed', version: 'W/"4"' }))! };
    expect(canMerge(a, b)).toBe(true);
    expect(mergeEvents(a.events, b.events)).toEqual({ [PROV_PATCH_NOTICE]: { attributes: ['members'], version: 'W/"4"' } });
    expect(canMerge(a, { ...b, txn: 'other' })).toBe(false);
    expect(canMerge(a, { ...b, uri: '/Groups/h' })).toBe(false);
    expect(canMerge({ ...a, events: { [PROV_DELETE]: {} } }, { ...b, events: { [PROV_DELETE]: {} } })).toBe(false);
  });
});

describe('RFC 8936 §2.1 poll request', () => {
  it('accepts the four members and defaults', () => {
    expect(parsePollRequest(undefined)).toMatchObject({ maxEvents: undefined, returnImmediately: false, ack: [] });
    const r = parsePollRequest({ maxEvents: 5, returnImmediately: true, ack: ['a'], setErrs: { b: { err: 'invalid_key', description: 'no key' } } });
    expect(r.maxEvents).toBe(5);
    expect(r.returnImmediately).toBe(true);
    expect(r.ack).toEqual(['a']);
    expect(r.setErrs.get('b')).toEqual({ err: 'invalid_key', description: 'no key' });
  });
  it.each([
    [[1, 2], 'JSON object'],
    [{ maxEvents: -1 }, 'maxEvents'],
    [{ maxEvents: 1.5 }, 'maxEvents'],
    [{ returnImmediately: 'yes' }, 'returnImmediately'],
    [{ ack: 'a' }, 'ack'],
    [{ ack: [1] }, 'ack'],
    [{ setErrs: { a: 'bad' } }, 'setErrs.a'],
    [{ setErrs: [] }, 'setErrs'],
    [{ foo: 1 }, 'Unknown poll request member "foo"'],
  ])('refuses %j with a readable reason', (body, needle) => {
    expect(() => parsePollRequest(body)).toThrow(PollRequestError);
    expect(() => parsePollRequest(body)).toThrow(needle);
  });
});

describe('RFC 8935 §2.3 error body', () => {
  it('reads err and description, ignores anything else', () => {
    expect(parseSetError('{"err":"invalid_audience","description":"aud mismatch"}')).toEqual({ err: 'invalid_audience', description: 'aud mismatch' });
    expect(parseSetError('{"error":"x"}')).toBeUndefined();
    expect(parseSetError('not json')).toBeUndefined();
  });
});
