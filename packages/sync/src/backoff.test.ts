import { describe, expect, it } from 'vitest';
import { Backoff } from './backoff.ts';
import { seededRandom } from './testing/fake-clock.ts';

describe('Backoff', () => {
  it('waits a random time in [0, base·2^n], capped, with full jitter', () => {
    const seed = 42;
    const b = new Backoff({ baseMs: 100, capMs: 1000, random: seededRandom(seed) });
    const waits = Array.from({ length: 8 }, () => b.next());
    const ceilings = [100, 200, 400, 800, 1000, 1000, 1000, 1000];
    waits.forEach((w, i) => {
      expect(w).toBeGreaterThanOrEqual(0);
      expect(w).toBeLessThan(ceilings[i]!);
    });
    expect(new Set(waits).size).toBeGreaterThan(4); // jittered, not a fixed ladder
  });

  it('takes the ceiling exactly when random gives its maximum, and 0 at its minimum', () => {
    expect(new Backoff({ baseMs: 100, capMs: 1000, random: () => 0.999999 }).next()).toBe(99);
    expect(new Backoff({ baseMs: 100, capMs: 1000, random: () => 0 }).next()).toBe(0);
  });

  it('honours Retry-After as a floor', () => {
    const b = new Backoff({ baseMs: 100, capMs: 1000, random: () => 0 });
    expect(b.next(5000)).toBe(5000);
  });

  it('starts over after reset', () => {
    const b = new Backoff({ baseMs: 100, capMs: 100_000, random: () => 0.999999 });
    for (let i = 0; i < 5; i++) b.next();
    expect(b.next()).toBeGreaterThan(3000);
    b.reset();
    expect(b.attempts).toBe(0);
    expect(b.next()).toBeLessThan(100);
  });
});
