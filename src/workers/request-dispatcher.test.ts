import { describe, expect, it } from 'vitest';
import { createRequestDispatcher } from './request-dispatcher.js';

/** A fake claim: hands out `due` requests (endpoint keys) in order, skipping busy endpoints; each request settles when released. */
function fakeDelivery(due: string[]) {
  const calls: Array<{ limit: number; busy: readonly string[] }> = [];
  const release: Array<() => void> = [];
  return {
    calls,
    release,
    async startDue(limit: number, busy: readonly string[]) {
      calls.push({ limit, busy: [...busy] });
      const picked: string[] = [];
      for (let i = 0; i < due.length && picked.length < limit; ) {
        if (busy.includes(due[i]!)) i++;
        else picked.push(...due.splice(i, 1));
      }
      return picked.map((key) => ({ key, done: new Promise<void>((r) => release.push(r)) }));
    },
  };
}

describe('request dispatcher', () => {
  it('never waits for a request to claim more, caps requests per endpoint and in total, and frees slots as requests finish', async () => {
    const d = fakeDelivery([...Array(15).fill('slow'), 'a', 'b', ...Array(10).fill('c')]);
    const dispatcher = createRequestDispatcher((limit, busy) => d.startDue(limit, busy), () => {}, { total: 20, perEndpoint: 10 });
    expect(await dispatcher.pump()).toBe(20); // 15 slow + a + b + 3 c: one claim, limited by the total
    expect(dispatcher.inFlight()).toBe(20);
    expect(await dispatcher.pump()).toBe(0); // full: nothing claimed, nothing awaited
    expect(d.calls).toHaveLength(1);
    d.release.slice(15).forEach((r) => r()); // a, b and the three c finish
    await new Promise((r) => setImmediate(r));
    expect(dispatcher.inFlight()).toBe(15);
    expect(await dispatcher.pump()).toBe(5); // the room they left goes to five more c; slow (15 in flight ≥ 10) is skipped
    expect(d.calls[1]!.busy).toEqual(['slow']);
    for (const r of d.release) r();
    await dispatcher.drain();
    expect(dispatcher.inFlight()).toBe(0);
  });

  it('skips an endpoint that already has its share in flight', async () => {
    const d = fakeDelivery([...Array(12).fill('slow')]);
    const dispatcher = createRequestDispatcher((limit, busy) => d.startDue(limit, busy), () => {}, { total: 100, perEndpoint: 10 });
    expect(await dispatcher.pump()).toBe(12);
    d.calls.length = 0;
    await dispatcher.pump();
    expect(d.calls[0]!.busy).toEqual(['slow']);
    for (const r of d.release) r();
    await dispatcher.drain();
    expect(dispatcher.inFlight()).toBe(0);
    await dispatcher.pump();
    expect(d.calls[1]!.busy).toEqual([]);
  });

  it('finished(n) settles after n more requests finish, or when none is left in flight', async () => {
    const d = fakeDelivery(['a', 'b', 'c']);
    const dispatcher = createRequestDispatcher((limit, busy) => d.startDue(limit, busy), () => {}, { total: 10, perEndpoint: 10 });
    await dispatcher.pump();
    let settled = false;
    void dispatcher.finished(2).then(() => (settled = true));
    d.release[0]!();
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false);
    d.release[1]!();
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(true);
    let all = false;
    void dispatcher.finished(25).then(() => (all = true)); // more than are in flight: the last one ends it
    d.release[2]!();
    await new Promise((r) => setImmediate(r));
    expect(all).toBe(true);
    await expect(dispatcher.finished(5)).resolves.toBeUndefined(); // nothing in flight: at once
  });
});
