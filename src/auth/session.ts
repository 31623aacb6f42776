// Console sessions, the Lucia way: the browser holds a random 256-bit token; the database holds
// only its SHA-256 as the session id, so a leaked sessions table cannot be replayed. Each session
// carries its own CSRF synchronizer token. Sessions slide on use (idle timeout) up to an
// absolute lifetime, and are written back at most every few minutes, not on every request.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { TenantId } from '../domain/ids.js';
import type { SessionRecord, SessionStore } from '../storage/ports.js';

export interface SessionPolicy {
  /** A session unused for this long ends. */
  readonly idleMs: number;
  /** A session ends this long after sign-in, however busy. */
  readonly absoluteMs: number;
  /** Minimum time between writes of last_seen_at/expires_at. */
  readonly touchEveryMs: number;
}

export const DEFAULT_SESSION_POLICY: SessionPolicy = Object.freeze({
  idleMs: 12 * 60 * 60 * 1000,
  absoluteMs: 7 * 24 * 60 * 60 * 1000,
  touchEveryMs: 5 * 60 * 1000,
});

/** A random, URL-safe 256-bit token. */
export const randomToken = (): string => randomBytes(32).toString('base64url');

/** The stored session id for a cookie token. */
export const sessionIdOf = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

/** Constant-time comparison of two presented secrets (CSRF tokens). */
export function tokensMatch(presented: unknown, expected: string): boolean {
  if (typeof presented !== 'string' || presented.length === 0 || expected.length === 0) return false;
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

export interface SessionManager {
  /** Starts a session; the token goes into the cookie and is never stored. */
  create(tenantId: TenantId, accountId: string): Promise<{ token: string; session: SessionRecord }>;
  /** The live session for a cookie token, sliding its expiry; undefined when unknown or expired. */
  validate(token: string | undefined): Promise<SessionRecord | undefined>;
  revoke(token: string): Promise<void>;
  revokeById(id: string): Promise<void>;
}

export function createSessionManager(store: SessionStore, policy: SessionPolicy = DEFAULT_SESSION_POLICY, now: () => number = Date.now): SessionManager {
  const iso = (ms: number) => new Date(ms).toISOString();
  const deadline = (createdMs: number, t: number) => Math.min(t + policy.idleMs, createdMs + policy.absoluteMs);

  return {
    async create(tenantId, accountId) {
      const t = now();
      const token = randomToken();
      const session: SessionRecord = {
        id: sessionIdOf(token),
        tenantId,
        accountId,
        csrfToken: randomToken(),
        createdAt: iso(t),
        expiresAt: iso(deadline(t, t)),
        lastSeenAt: iso(t),
      };
      await store.create(session);
      // Sweep expired rows now and then, at sign-in rather than on every request.
      await store.deleteExpired(iso(t));
      return { token, session };
    },

    async validate(token) {
      if (!token || token.length > 200) return undefined;
      const session = await store.find(sessionIdOf(token));
      if (!session) return undefined;
      const t = now();
      const created = Date.parse(session.createdAt);
      if (Date.parse(session.expiresAt) <= t || created + policy.absoluteMs <= t) {
        await store.delete(session.id);
        return undefined;
      }
      if (t - Date.parse(session.lastSeenAt) >= policy.touchEveryMs) {
        const touched = { ...session, lastSeenAt: iso(t), expiresAt: iso(deadline(created, t)) };
        await store.touch(session.id, touched.lastSeenAt, touched.expiresAt);
        return touched;
      }
      return session;
    },

    revoke: (token) => store.delete(sessionIdOf(token)),
    revokeById: (id) => store.delete(id),
  };
}
