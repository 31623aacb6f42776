import { describe, expect, it } from 'vitest';
import { createRequestDispatcher } from './request-dispatcher.js';
import type { BusyReceivers } from '../storage/ports.js';

/** A fake claim: hands out due requests (`endpoint` or `tenant/endpoint`) in order, skipping busy endpoints and organisations; each request settles when released. */
function fakeDelivery(due: string[]) {
  const calls: BusyReceivers[] = [];
  const release: Array<() => void> = [];
  const parse = (d: string) => (d.includes('/') ? { tenant: d.split('/')[0]!, key: d.split('/')[1]! } : { tenant: 't', key: d });
  return {
    calls,
    release,
    async startDue(limit: number, busy: BusyReceivers) {
      calls.push({ endpoints: [...busy.endpoints], tenants: [...busy.tenants] });
      const picked: string[] = [];
      for (let i = 0; i < due.length && picked.length < limit; ) {
        const { tenant, key } = parse(due[i]!);
        if (busy.endpoints.includes(key) || busy.tenants.includes(tenant)) i++;
        else picked.push(...due.splice(i, 1));
      }
      return picked.map((d) => ({ ...parse(d), done: new Promise<void>((r) => release.push(r)) }));
    },
  };
}

const limits = (total: number, perEndpoint: number, perTenant = 1_000) => ({ total, perEndpoint, perTenant });
const tick = () => new Promise((r) => setImmediate(r));

describe('request dispatcher', () => {
  it('never waits for a request to claim more, caps requests in total, and frees slots as requests finish', async () => {
    const d = fakeDelivery([...Array(15).fill('slow'), 'a', 'b', ...Array(10).fill('c')]);
    const dispatcher = createRequestDispatcher((limit, busy) => d.startDue(limit, busy), () => {}, limits(20, 10));
    expect(await dispatcher.pump()).toBe(20); // 15 slow + a + b + 3 c: one claim, limited by the total
    expect(dispatcher.inFlight()).toBe(20);
    expect(await dispatcher.pump()).toBe(0); // full: nothing claimed, nothing awaited
    expect(d.calls).toHaveLength(1);
    d.release.slice(15).forEach((r) => r()); // a, b and the three c finish
    await tick();
    expect(dispatcher.inFlight()).toBe(15);
    expect(await dispatcher.pump()).toBe(5); // the room they left goes to five more c; slow (15 in flight ≥ 10) is skipped
    expect(d.calls[1]!.endpoints).toEqual(['slow']);
    for (const r of d.release) r();
    await dispatcher.drain();
    expect(dispatcher.inFlight()).toBe(0);
  });

  it('skips an endpoint that already has its share in flight, until its requests finish', async () => {
    const d = fakeDelivery([...Array(12).fill('slow')]);
    const dispatcher = createRequestDispatcher((limit, busy) => d.startDue(limit, busy), () => {}, limits(100, 10));
    expect(await dispatcher.pump()).toBe(12);
    await dispatcher.pump();
    expect(d.calls[1]!.endpoints).toEqual(['slow']);
    for (const r of d.release) r();
    await dispatcher.drain();
    await dispatcher.pump();
    expect(d.calls[2]!.endpoints).toEqual([]);
  });

  it('skips an organisation that has its share in flight across its endpoints', async () => {
    // A hostile organisation with many endpoints, each under its own limit, and a victim.
    const d = fakeDelivery([...Array(30).fill(0).map((_, i) => `hostile/e${i % 6}`), 'victim/v']);
    const dispatcher = createRequestDispatcher((limit, busy) => d.startDue(limit, busy), () => {}, limits(100, 10, 20));
    expect(await dispatcher.pump()).toBe(31); // one claim may overshoot the organisation's 20
    d.calls.length = 0;
    await dispatcher.pump();
    expect(d.calls[0]!.tenants).toEqual(['hostile']);
    for (const r of d.release) r();
    await dispatcher.drain();
  });

  it('finished(n) settles after n more requests finish, or when none is left in flight', async () => {
    const d = fakeDelivery(['a', 'b', 'c']);
    const dispatcher = createRequestDispatcher((limit, busy) => d.startDue(limit, busy), () => {}, limits(10, 10));
    await dispatcher.pump();
    let settled = false;
    void dispatcher.finished(2).then(() => (settled = true));
    d.release[0]!();
    await tick();
    expect(settled).toBe(false);
    d.release[1]!();
    await tick();
    expect(settled).toBe(true);
    let all = false;
    void dispatcher.finished(25).then(() => (all = true)); // more than are in flight: the last one ends it
    d.release[2]!();
    await tick();
    expect(all).toBe(true);
    await expect(dispatcher.finished(5)).resolves.toBeUndefined(); // nothing in flight: at once
  });

  it('reports a request that fails to record its outcome and frees its slot', async () => {
    const errors: unknown[] = [];
    const dispatcher = createRequestDispatcher(async () => [{ key: 'e', tenant: 't', done: Promise.reject(new Error('database down')) }], (e) => errors.push(e), limits(10, 10));
    await dispatcher.pump();
    await dispatcher.drain();
    expect(errors).toHaveLength(1);
    expect(dispatcher.inFlight()).toBe(0);
  });
});
