import { describe, expect, it } from 'vitest';
import { createLoginThrottle } from './console-throttle.js';

describe('login throttle', () => {
  const policy = { maxPerAccount: 3, maxPerAddress: 5, windowMs: 60_000, maxBuckets: 100 };

  it('blocks an account after its failures, until the window ends; success clears the account', () => {
    let now = 0;
    const t = createLoginThrottle(policy, () => now);
    for (let i = 0; i < 3; i++) t.recordFailure('a@x', `10.0.0.${i}`);
    expect(t.retryAfter('a@x', '10.0.0.9')).toBe(60);
    expect(t.retryAfter('b@x', '10.0.0.9')).toBe(0);
    now = 59_000;
    expect(t.retryAfter('a@x', '10.0.0.9')).toBe(1);
    now = 60_000;
    expect(t.retryAfter('a@x', '10.0.0.9')).toBe(0);
    t.recordFailure('c@x', '10.0.1.1');
    t.recordFailure('c@x', '10.0.1.1');
    t.recordSuccess('c@x');
    t.recordFailure('c@x', '10.0.1.1');
    expect(t.retryAfter('c@x', '10.0.1.2')).toBe(0);
  });

  it('blocks an address after failures across accounts', () => {
    const t = createLoginThrottle(policy, () => 0);
    for (let i = 0; i < 5; i++) t.recordFailure(`u${i}@x`, '10.9.9.9');
    expect(t.retryAfter('fresh@x', '10.9.9.9')).toBe(60);
    expect(t.retryAfter('fresh@x', '10.9.9.8')).toBe(0);
  });

  it('keeps at most maxBuckets counters', () => {
    const t = createLoginThrottle({ ...policy, maxBuckets: 10 }, () => 0);
    for (let i = 0; i < 100; i++) t.recordFailure(`spray${i}@x`, `10.1.${i}.1`);
    // The oldest buckets were dropped; the newest still count.
    t.recordFailure('spray99@x', '10.1.99.1');
    t.recordFailure('spray99@x', '10.1.99.1');
    expect(t.retryAfter('spray99@x', '10.2.0.1')).toBe(60);
  });
});
