import { builtInCatalogue, type Rule } from '@packsync/model';
import { describe, expect, it } from 'vitest';
import { describeApplies, describeQuantity } from './describe.ts';

const socks = builtInCatalogue.find((r) => r.id === 'clothing.socks')!;

describe('rule descriptions', () => {
  it('say who and how many for a per-person rule', () => {
    expect(describeApplies(socks)).toBe('for adults and children');
    expect(describeQuantity(socks)).toBe('one per person: 1 a day, at most 7 (4 with laundry), plus 1 spare');
  });

  it('name tags, settings and preferences', () => {
    const rule: Rule = {
      id: 'x', name: 'X', category: 'misc', scope: 'person-day',
      applies: { anyTag: ['beach', 'swimming'], settings: ['flying'], preferences: ['glasses'] },
      quantity: { base: 2, perDay: 1 / 3, min: 1 },
    };
    expect(describeApplies(rule)).toBe('when a day is tagged beach or swimming, when the trip is set to flying, for people marked glasses');
    expect(describeQuantity(rule)).toBe('one per person per matching day: 2 + 1 every 3 days, at least 1');
  });

  it('describes every built-in rule', () => {
    for (const rule of builtInCatalogue) expect(describeQuantity(rule)).not.toMatch(/undefined|NaN/);
  });
});
