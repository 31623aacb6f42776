import { describe, expect, it } from 'vitest';
import { createSessionManager, sessionIdOf, tokensMatch } from './session.js';
import type { SessionRecord, SessionStore } from '../storage/ports.js';
import { trustedTenantId } from '../domain/ids.js';

function memoryStore(): SessionStore & { rows: Map<string, SessionRecord> } {
  const rows = new Map<string, SessionRecord>();
  return {
    rows,
    create: async (s) => void rows.set(s.id, s),
    find: async (id) => rows.get(id),
    touch: async (id, lastSeenAt, expiresAt) => void rows.set(id, { ...rows.get(id)!, lastSeenAt, expiresAt }),
    delete: async (id) => void rows.delete(id),
    deleteExpired: async (now) => {
      let n = 0;
      for (const [id, s] of rows) {
        if (s.expiresAt < now) {
          rows.delete(id);
          n++;
        }
      }
      return n;
    },
  };
}

const policy = { idleMs: 60_000, absoluteMs: 300_000, touchEveryMs: 10_000 };
const tenant = trustedTenantId('t1');

describe('session manager', () => {
  it('stores only the SHA-256 of the token, with its own CSRF token', async () => {
    const store = memoryStore();
    const m = createSessionManager(store, policy, () => 0);
    const { token, session } = await m.create(tenant, 'acct');
    expect(token).toMatch(/^[\w-]{43}$/);
    expect(session.id).toBe(sessionIdOf(token));
    expect([...store.rows.keys()]).toEqual([sessionIdOf(token)]);
    expect(session.csrfToken).not.toBe(token);
    expect(await m.validate(token)).toMatchObject({ accountId: 'acct' });
    expect(await m.validate('not-a-token')).toBeUndefined();
    expect(await m.validate(undefined)).toBeUndefined();
  });

  it('slides the idle timeout on use, up to the absolute lifetime', async () => {
    let now = 0;
    const store = memoryStore();
    const m = createSessionManager(store, policy, () => now);
    const { token } = await m.create(tenant, 'acct');
    for (now = 50_000; now < 300_000; now += 50_000) expect(await m.validate(token), `at ${now}`).toBeDefined();
    now = 300_000;
    expect(await m.validate(token)).toBeUndefined();
    expect(store.rows.size).toBe(0);
  });

  it('ends an idle session', async () => {
    let now = 0;
    const m = createSessionManager(memoryStore(), policy, () => now);
    const { token } = await m.create(tenant, 'acct');
    now = 61_000;
    expect(await m.validate(token)).toBeUndefined();
  });

  it('writes last-seen at most every touchEveryMs', async () => {
    let now = 0;
    const store = memoryStore();
    const m = createSessionManager(store, policy, () => now);
    const { token, session } = await m.create(tenant, 'acct');
    now = 5_000;
    await m.validate(token);
    expect(store.rows.get(session.id)!.lastSeenAt).toBe(new Date(0).toISOString());
    now = 12_000;
    await m.validate(token);
    expect(store.rows.get(session.id)!.lastSeenAt).toBe(new Date(12_000).toISOString());
  });

  it('compares CSRF tokens in constant time and refuses empty or non-string values', () => {
    expect(tokensMatch('abc', 'abc')).toBe(true);
    expect(tokensMatch('abd', 'abc')).toBe(false);
    expect(tokensMatch('', '')).toBe(false);
    expect(tokensMatch(undefined, 'abc')).toBe(false);
    expect(tokensMatch(['abc'], 'abc')).toBe(false);
  });
});
