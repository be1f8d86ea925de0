import { describe, expect, it } from 'vitest';
import { itemFields, itemPatch } from './item.ts';
import { PERSON_ID, problems, TRIP_ID } from './test-helpers.ts';

const manual = {
  trip_id: TRIP_ID,
  person_id: null,
  name: 'Kite',
  category: 'gear',
  quantity: 1,
  packed: false,
  notes: '',
  day: null,
  rule_id: null,
  generated: null,
};

const generated = {
  ...manual,
  person_id: PERSON_ID,
  name: 'Socks (pairs)',
  category: 'clothing',
  quantity: 5,
  rule_id: 'clothing.socks',
  generated: { name: 'Socks (pairs)', quantity: 5, category: 'clothing', notes: '' },
};

describe('itemFields', () => {
  it('accepts a manual item and a generated one', () => {
    expect(problems(itemFields, manual)).toEqual([]);
    expect(problems(itemFields, generated)).toEqual([]);
    expect(problems(itemFields, { ...manual, day: '2026-07-02', quantity: 0 })).toEqual([]);
  });

  it('rejects quantities outside 0..999 and fractions', () => {
    expect(problems(itemFields, { ...manual, quantity: -1 })).toEqual(['quantity: must be 0 or more']);
    expect(problems(itemFields, { ...manual, quantity: 1000 })).toEqual(['quantity: must be 999 or less']);
    expect(problems(itemFields, { ...manual, quantity: 1.5 })).toEqual(['quantity: must be a whole number']);
    expect(problems(itemFields, { ...manual, quantity: '2' })).toEqual(['quantity: must be a number']);
  });

  it('rejects a blank name, long notes, an unknown category', () => {
    expect(problems(itemFields, { ...manual, name: '\t ' })).toEqual(['name: must not be blank']);
    expect(problems(itemFields, { ...manual, notes: 'x'.repeat(2001) })).toEqual(['notes: must be at most 2000 characters']);
    expect(problems(itemFields, { ...manual, category: 'snacks' })).toEqual([
      'category: must be one of clothing, toiletries, documents, electronics, health, kids, gear, misc',
    ]);
  });

  it('rejects malformed rule ids', () => {
    for (const bad of ['Clothing.socks', '.socks', 'clothing socks', 'clothing_socks', '']) {
      expect(problems(itemFields, { ...generated, rule_id: bad }), bad).toHaveLength(1);
    }
    expect(problems(itemFields, { ...generated, rule_id: 'a'.repeat(101) })).toEqual([
      'rule_id: must be at most 100 characters',
    ]);
  });

  it('rejects a bad snapshot, a bad day and a bad uuid', () => {
    expect(problems(itemFields, { ...generated, generated: { name: 'Socks', quantity: 5, category: 'clothing' } })).toEqual([
      'generated.notes: must be a string',
    ]);
    expect(problems(itemFields, { ...manual, day: '2026-02-30' })).toEqual([
      'day: must be a real calendar date in YYYY-MM-DD form',
    ]);
    expect(problems(itemFields, { ...manual, person_id: 'alice' })).toEqual(['person_id: must be a UUID']);
  });

  it('rejects unknown and missing keys', () => {
    expect(problems(itemFields, { ...manual, colour: 'red' })).toEqual(['(root): Unrecognized key: "colour"']);
    const { packed: _packed, ...withoutPacked } = manual;
    expect(problems(itemFields, withoutPacked)).toEqual(['packed: must be true or false']);
  });
});

describe('itemPatch', () => {
  it('accepts single fields and checks them', () => {
    expect(problems(itemPatch, { packed: true })).toEqual([]);
    expect(problems(itemPatch, { quantity: 1000 })).toEqual(['quantity: must be 999 or less']);
    expect(problems(itemPatch, { version: 2 })).toEqual(['(root): Unrecognized key: "version"']);
  });
});
