// The attacks of issue #18 as data, shared by the in-process tests (test/hardening/cost-bound)
// and the standing red-team suite against a running server (test/attacks, `npm run test:attacks`).
// Each attack is sent by one tenant while another tenant probes the service every few
// milliseconds; the probe's worst latency is what the bound applies to.

/** No request within the limits may delay another tenant's request by more than this. */
export const OTHER_TENANT_BOUND_MS = Number(process.env.ATTACK_BOUND_MS ?? 100);

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

export interface Reply {
  readonly status: number;
  readonly body: string;
  readonly headers?: Record<string, string | string[] | undefined>;
}

/** One tenant's view of the service: a request with that tenant's key. */
export type Send = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<Reply>;

/** Attack 1: a user with 1,000 emails. */
export async function seedManyEmails(send: Send, n = 1000): Promise<string> {
  const emails = Array.from({ length: n }, (_, i) => ({ value: `u${i}@example.com`, type: 'work' }));
  const r = await send('POST', '/Users', { schemas: [USER_SCHEMA], userName: `victim-${Math.random().toString(36).slice(2)}`, emails });
  if (r.status !== 201) throw new Error(`seed: ${r.status} ${r.body}`);
  return (JSON.parse(r.body) as { id: string }).id;
}

/** Attack 1: 1,000 `remove` operations, each path a 38-term value filter (245 KB, within 1 MiB). */
export function patchAttackBody(ops = 1000, terms = 38): unknown {
  const filter = Array.from({ length: terms }, (_, i) => `value ew "zz${i}"`).join(' or ');
  return { schemas: [PATCH_OP], Operations: Array.from({ length: ops }, () => ({ op: 'remove', path: `emails[${filter}]` })) };
}

/** Attack 2: users with 1,000 addresses each. */
export async function seedManyAddresses(send: Send, users: number, perUser = 1000): Promise<void> {
  const addresses = Array.from({ length: perUser }, (_, i) => ({ formatted: `${i} Long Street, Some Town ${i}`, type: 'work' }));
  const tag = Math.random().toString(36).slice(2);
  for (let i = 0; i < users; i++) {
    const r = await send('POST', '/Users', { schemas: [USER_SCHEMA], userName: `a${i}-${tag}`, addresses });
    if (r.status !== 201) throw new Error(`seed: ${r.status} ${r.body}`);
  }
}

/** Attack 2: a 100-term filter on a non-indexed multi-valued attribute, in both spellings. */
export function filterAttackPaths(terms = 100): string[] {
  const dotted = Array.from({ length: terms }, (_, i) => `addresses.formatted co "nomatch${i}"`).join(' or ');
  const bracket = `addresses[${Array.from({ length: terms }, (_, i) => `formatted co "nomatch${i}"`).join(' or ')}]`;
  return [dotted, bracket].map((f) => `/Users?filter=${encodeURIComponent(f)}`);
}

export interface AttackResult {
  readonly attack: Reply;
  readonly attackMs: number;
  /** The other tenant's worst probe latency while the attack ran (and the probe sent last). */
  readonly otherWorstMs: number;
  readonly probes: number;
}

/**
 * Sends `attack`, and every `everyMs` a probe of the other tenant, until the attack has answered
 * and a last probe has too. A probe's latency is measured from when it was due, so a stalled
 * event loop in the same process (app.inject) counts as much as a slow server.
 */
export async function underAttack(attack: () => Promise<Reply>, probe: () => Promise<Reply>, everyMs = 10): Promise<AttackResult> {
  const t0 = performance.now();
  let done = false;
  let worst = 0;
  let probes = 0;
  const running = attack().then((r) => {
    done = true;
    return { r, ms: performance.now() - t0 };
  });
  const probing = (async () => {
    let due = performance.now() + everyMs;
    for (;;) {
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const last = done;
      const p = await probe();
      if (p.status !== 200) throw new Error(`probe answered ${p.status}: ${p.body}`);
      worst = Math.max(worst, performance.now() - due);
      probes++;
      if (last) return;
      due = Math.max(due + everyMs, performance.now());
    }
  })();
  const [{ r, ms }] = await Promise.all([running, probing]);
  return { attack: r, attackMs: ms, otherWorstMs: worst, probes };
}
