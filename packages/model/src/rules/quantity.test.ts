import { describe, expect, it } from 'vitest';
import { computeQuantity } from './quantity.ts';

const socks = { perDay: 1, max: 7, laundryMax: 4, spare: 1 };
const at = (relevantDays: number, laundry = false, matchingPeople = 1) => ({ relevantDays, matchingPeople, laundry });

describe('computeQuantity', () => {
  it('one per day, capped, plus a spare', () => {
    expect(computeQuantity(socks, at(3))).toBe(4);
    expect(computeQuantity(socks, at(7))).toBe(8);
    expect(computeQuantity(socks, at(14))).toBe(8);
  });

  it('laundry lowers the cap', () => {
    expect(computeQuantity(socks, at(14, true))).toBe(5);
    expect(computeQuantity(socks, at(2, true))).toBe(3);
  });

  it('rounds fractions up without float noise, and applies the minimum', () => {
    const third = { perDay: 1 / 3, min: 1, max: 3 };
    expect(computeQuantity(third, at(1))).toBe(1);
    expect(computeQuantity(third, at(3))).toBe(1);
    expect(computeQuantity(third, at(6))).toBe(2);
    expect(computeQuantity(third, at(7))).toBe(3);
    expect(computeQuantity(third, at(30))).toBe(3);
  });

  it('counts people for shared items', () => {
    const half = { perPerson: 1 / 2, min: 1, max: 4 };
    expect(computeQuantity(half, at(1, false, 0))).toBe(1);
    expect(computeQuantity(half, at(1, false, 3))).toBe(2);
    expect(computeQuantity(half, at(1, false, 20))).toBe(4);
  });

  it('never exceeds the column limit', () => {
    expect(computeQuantity({ perDay: 10 }, at(366))).toBe(999);
  });
});
