// RFC 9865 cursors: opaque (base64url, unreserved characters only), bound to the tenant and to
// the query (a fingerprint of every parameter but cursor/count), and expiring. They need no
// server state, so they are valid on every instance. A cursor only ever positions a query that
// is tenant-scoped anyway, so tampering can at worst skip rows of the caller's own tenant.
import { createHash } from 'node:crypto';
import { invalidCursor, expiredCursor } from '../../scim/errors.js';

export interface CursorState {
  readonly fingerprint: string;
  /** Keyset position (seq of the last/first row seen) for default-ordered pages. */
  readonly seq: number;
  readonly direction: 'next' | 'prev';
  /** Offset position for sorted queries (sortBy), where keysets would need the sort value. */
  readonly offset: number;
}

export function queryFingerprint(tenantId: string, resourceType: string, params: object): string {
  const p = params as Record<string, unknown>;
  const keys = ['filter', 'sortBy', 'sortOrder', 'attributes', 'excludedAttributes'];
  const parts = keys.map((k) => `${k}=${JSON.stringify(p[k] ?? null)}`);
  return createHash('sha256').update(`${tenantId}\n${resourceType}\n${parts.join('\n')}`).digest('base64url').slice(0, 16);
}

export function encodeCursor(state: CursorState, now = Date.now()): string {
  const body = [state.fingerprint, state.direction === 'next' ? 'n' : 'p', state.seq.toString(36), state.offset.toString(36), Math.floor(now / 1000).toString(36)].join('.');
  return Buffer.from(body, 'utf8').toString('base64url');
}

export function decodeCursor(raw: string, fingerprint: string, timeoutSeconds: number, now = Date.now()): CursorState {
  const bad = () => invalidCursor('The cursor is not valid for this query; start again without a cursor value', 'SCIM_E_CURSOR_001');
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(raw)) throw bad();
  const parts = Buffer.from(raw, 'base64url').toString('utf8').split('.');
  if (parts.length !== 5) throw bad();
  const [fp, dir, seq36, off36, issued36] = parts as [string, string, string, string, string];
  if (fp !== fingerprint || (dir !== 'n' && dir !== 'p')) throw bad();
  const seq = Number.parseInt(seq36, 36);
  const offset = Number.parseInt(off36, 36);
  const issued = Number.parseInt(issued36, 36);
  if (![seq, offset, issued].every(Number.isSafeInteger) || seq < 0 || offset < 0) throw bad();
  if (now / 1000 - issued > timeoutSeconds) throw expiredCursor('The cursor has expired; start again without a cursor value', 'SCIM_E_CURSOR_002');
  return { fingerprint, seq, direction: dir === 'n' ? 'next' : 'prev', offset };
}
