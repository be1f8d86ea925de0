// Time-ordered ids: valid version-7 UUIDs that sort in the order they were
// made, within one millisecond, across a standing or backward clock, and past
// 4096 ids in one millisecond.
import { describe, expect, it } from 'vitest';
import { uuid } from '@packsync/model';
import { uuidv7 } from './ids.ts';

describe('uuidv7', () => {
  it('makes valid version-7 UUIDs that sort in the order they were made', () => {
    let t = 1_764_576_000_000;
    const times = [0, 0, 1, 1, 1, -5, -5, 2, 10_000];
    const next = uuidv7(() => t);
    const made: string[] = [];
    for (const step of times) {
      t += step;
      for (let i = 0; i < 3; i++) made.push(next());
    }
    for (let i = 0; i < 5000; i++) made.push(next()); // past the 12-bit counter within one millisecond
    for (const id of made) {
      expect(uuid.safeParse(id).success).toBe(true);
      expect(id[14]).toBe('7');
      expect('89ab').toContain(id[19]);
    }
    expect([...made].sort()).toEqual(made);
    expect(new Set(made).size).toBe(made.length);
  });

  it('carries the clock\'s milliseconds in its first 48 bits', () => {
    const id = uuidv7(() => 0x0123_4567_89ab)();
    expect(id.startsWith('01234567-89ab-7')).toBe(true);
  });
});
