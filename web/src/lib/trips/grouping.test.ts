import type { Item, Person } from '@packsync/model';
import { describe, expect, it } from 'vitest';
import { groupByCategory, groupByPerson, progressOf } from './grouping.ts';

const system = { version: 1, created_at: 't', updated_at: 't', deleted_at: null, created_by: null };
function item(id: string, fields: Partial<Item>): Item {
  return {
    ...system, id, trip_id: 'trip', person_id: null, name: id, category: 'misc', quantity: 1, packed: false,
    notes: '', day: null, rule_id: null, generated: null, ...fields,
  };
}
function person(id: string, name: string): Person {
  return { ...system, id, trip_id: 'trip', name, kind: 'adult', preferences: {} };
}

describe('groupByCategory', () => {
  it('orders groups as the model lists categories and items by name', () => {
    const groups = groupByCategory([
      item('b', { name: 'Socks', category: 'clothing', packed: true }),
      item('c', { name: 'Passport', category: 'documents' }),
      item('a', { name: 'Hat', category: 'clothing' }),
    ]);
    expect(groups.map((g) => [g.title, g.items.map((i) => i.name), g.packed])).toEqual([
      ['Clothing', ['Hat', 'Socks'], 1],
      ['Documents', ['Passport'], 0],
    ]);
  });

  it("lists items of one name by their person's name", () => {
    const people = [person('p1', 'Ben'), person('p2', 'Anna')];
    const [clothing] = groupByCategory(
      [item('a', { name: 'Socks', person_id: 'p1' }), item('b', { name: 'Socks', person_id: 'p2' }), item('c', { name: 'Hat' })],
      people,
    );
    expect(clothing!.items.map((i) => i.id)).toEqual(['c', 'b', 'a']);
  });
});

describe('groupByPerson', () => {
  it('puts shared items and items of unknown people last, under Shared', () => {
    const people = [person('p2', 'Ben'), person('p1', 'Anna')];
    const groups = groupByPerson(
      [item('x', { person_id: 'p1' }), item('y', {}), item('z', { person_id: 'gone' }), item('w', { person_id: 'p2' })],
      people,
    );
    expect(groups.map((g) => [g.title, g.items.map((i) => i.id)])).toEqual([
      ['Ben', ['w']],
      ['Anna', ['x']],
      ['Shared', ['y', 'z']],
    ]);
  });
});

describe('progressOf', () => {
  it('counts packed items and rounds down', () => {
    expect(progressOf([{ packed: true }, { packed: false }, { packed: false }])).toEqual({ packed: 1, total: 3, percent: 33 });
    expect(progressOf([])).toEqual({ packed: 0, total: 0, percent: 0 });
  });
});
