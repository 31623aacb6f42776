import { describe, expect, it } from 'vitest';
import { createWriteQueue } from './write-queue.js';

const tick = () => new Promise((r) => setImmediate(r));

describe('createWriteQueue', () => {
  it('runs calls with one key one at a time, in arrival order, and other keys alongside', async () => {
    const q = createWriteQueue();
    const log: string[] = [];
    let running = 0;
    let most = 0;
    const job = (name: string) => async () => {
      running++;
      most = Math.max(most, running);
      log.push(`start ${name}`);
      await tick();
      log.push(`end ${name}`);
      running--;
      return name;
    };
    const a = Promise.all([q.run('r1', job('a1')), q.run('r1', job('a2')), q.run('r1', job('a3'))]);
    const b = q.run('r2', job('b1'));
    expect(await a).toEqual(['a1', 'a2', 'a3']);
    expect(await b).toBe('b1');
    const r1 = log.filter((l) => l.endsWith('a1') || l.endsWith('a2') || l.endsWith('a3'));
    expect(r1).toEqual(['start a1', 'end a1', 'start a2', 'end a2', 'start a3', 'end a3']);
    expect(most).toBe(2); // r1 never overlapped itself; r2 ran beside it
  });

  it('a failed call does not stop the ones behind it, and the queue empties', async () => {
    const q = createWriteQueue();
    const failed = q.run('k', async () => {
      throw new Error('boom');
    });
    const next = q.run('k', async () => 'ok');
    await expect(failed).rejects.toThrow('boom');
    expect(await next).toBe('ok');
    await tick();
    expect(q.size).toBe(0);
  });
});
