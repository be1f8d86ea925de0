import { describe, expect, it } from 'vitest';
import { decide, DEFAULT_POLICIES, sameValue } from './conflicts.ts';

describe('conflict policies', () => {
  it('defaults: packed — true wins; quantity — larger wins; name, category — theirs with mine offered; notes — ask', () => {
    expect(DEFAULT_POLICIES.items).toEqual({
      packed: 'true_wins', quantity: 'larger_wins', name: 'theirs_offer_mine', category: 'theirs_offer_mine', notes: 'ask',
    });
  });

  it('decide picks by policy, and cannot pick for ask', () => {
    expect(decide('true_wins', false, true)).toBe(true);
    expect(decide('true_wins', true, false)).toBe(true);
    expect(decide('true_wins', false, false)).toBe(false);
    expect(decide('larger_wins', 3, 5)).toBe(5);
    expect(decide('larger_wins', 7, 5)).toBe(7);
    expect(decide('larger_wins', null, 5)).toBeUndefined();
    expect(decide('theirs_offer_mine', 'Cap', 'Hat')).toBe('Hat');
    expect(decide('mine', 'a', 'b')).toBe('a');
    expect(decide('ask', 'a', 'b')).toBeUndefined();
  });

  it('compares JSON values whatever the key order (jsonb does not keep it)', () => {
    expect(sameValue({ a: 1, b: [1, { c: 2, d: 3 }] }, { b: [1, { d: 3, c: 2 }], a: 1 })).toBe(true);
    expect(sameValue({ a: 1 }, { a: 2 })).toBe(false);
    expect(sameValue([1, 2], [2, 1])).toBe(false);
  });
});
