import { describe, expect, it } from 'vitest';
import type { TripShape } from './trip-days.ts';
import { evaluate, type PersonInput } from './evaluate.ts';
import type { Rule } from './types.ts';

const ANA = 'a0000000-0000-4000-8000-000000000001';
const BEN = 'b0000000-0000-4000-8000-000000000002';
const KID = 'c0000000-0000-4000-8000-000000000003';
const BABY = 'd0000000-0000-4000-8000-000000000004';

const trip: TripShape = {
  start_date: '2026-07-01',
  end_date: '2026-07-05',
  days: [
    { date: '2026-07-01', label: 'Flight', tags: ['travel'] },
    { date: '2026-07-02', label: 'Beach', tags: ['beach', 'hot'] },
    { date: '2026-07-04', label: 'Wedding', tags: ['formal'] },
  ],
  settings: {},
};

const family: PersonInput[] = [
  { id: BEN, kind: 'adult', preferences: { shaves: true } },
  { id: ANA, kind: 'adult', preferences: {} },
  { id: KID, kind: 'child', preferences: {} },
  { id: BABY, kind: 'infant', preferences: {} },
];

const find = (items: ReturnType<typeof evaluate>, rule: string, person: string | null = null, day: string | null = null) =>
  items.find((i) => i.rule_id === rule && i.person_id === person && i.day === day);

describe('evaluate with the built-in catalogue', () => {
  const items = evaluate(trip, family);

  it('packs clothes per person per day, with caps and spares', () => {
    // 5 days from start to end: 5 pairs + 1 spare.
    expect(find(items, 'clothing.socks', ANA)?.quantity).toBe(6);
    expect(find(items, 'clothing.socks', KID)?.quantity).toBe(6);
    expect(find(items, 'clothing.socks', BABY)).toBeUndefined();
    expect(find(items, 'kids.nappies', BABY)?.quantity).toBe(34);
  });

  it('applies tag, preference and kind conditions', () => {
    expect(find(items, 'beach.swimsuit', ANA)?.quantity).toBe(1);
    expect(find(items, 'toiletries.razor', BEN)).toBeDefined();
    expect(find(items, 'toiletries.razor', ANA)).toBeUndefined();
    expect(find(items, 'weather.warm-coat', ANA)).toBeUndefined();
    expect(find(items, 'documents.passport', ANA)).toBeUndefined();
  });

  it('makes day-scoped items for the tagged days only', () => {
    expect(items.filter((i) => i.rule_id === 'formal.outfit').map((i) => [i.person_id, i.day])).toEqual([
      [ANA, '2026-07-04'],
      [BEN, '2026-07-04'],
      [KID, '2026-07-04'],
    ]);
    // Travel snacks: one shared item on the travel day, a portion per person.
    expect(find(items, 'travel.snacks', null, '2026-07-01')?.quantity).toBe(4);
  });

  it('makes shared items once, scaled by the people they count', () => {
    expect(find(items, 'health.first-aid-kit')?.quantity).toBe(1);
    expect(find(items, 'toiletries.sunscreen')?.quantity).toBe(2);
    expect(items.filter((i) => i.rule_id === 'health.first-aid-kit')).toHaveLength(1);
  });

  it('lists in catalogue order, then person id, then day, whatever the input order', () => {
    expect(evaluate(trip, [...family].reverse())).toEqual(items);
    const keys = items.map((i) => `${i.rule_id}|${i.person_id}|${i.day}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('laundry lowers the caps', () => {
    const long: TripShape = { ...trip, end_date: '2026-07-20' };
    expect(find(evaluate(long, family), 'clothing.socks', ANA)?.quantity).toBe(8);
    expect(find(evaluate({ ...long, settings: { laundry: true } }, family), 'clothing.socks', ANA)?.quantity).toBe(5);
  });

  it('skips tombstoned people', () => {
    const gone = family.map((p) => (p.id === BEN ? { ...p, deleted_at: '2026-01-01T00:00:00Z' } : p));
    expect(evaluate(trip, gone).some((i) => i.person_id === BEN)).toBe(false);
  });

  it('still lists something for a trip without dates or people', () => {
    const bare = evaluate({ start_date: null, end_date: null, days: [], settings: {} }, []);
    expect(bare.map((i) => i.rule_id)).toEqual(['misc.laundry-bag', 'toiletries.shampoo', 'health.first-aid-kit']);
  });
});

describe('overrides', () => {
  const rules: Rule[] = [
    { id: 'socks', name: 'Socks', category: 'clothing', scope: 'person', quantity: { perDay: 1, spare: 1 } },
    { id: 'kit', name: 'Kit', category: 'health', scope: 'trip', quantity: { base: 1 } },
  ];
  const people: PersonInput[] = [
    { id: ANA, kind: 'adult', preferences: {} },
    { id: BEN, kind: 'adult', preferences: {} },
  ];
  const run = (overrides: Parameters<typeof evaluate>[2]) =>
    evaluate(trip, people, overrides, rules).map((i) => `${i.rule_id}:${i.person_id ?? '-'}:${i.quantity}`);

  it('a trip-wide override sets the quantity for everyone', () => {
    expect(run([{ rule_id: 'socks', person_id: null, quantity: 3, disabled: false }])).toEqual([
      `socks:${ANA}:3`,
      `socks:${BEN}:3`,
      'kit:-:1',
    ]);
  });

  it("a person's override wins over the trip-wide one", () => {
    expect(
      run([
        { rule_id: 'socks', person_id: null, quantity: 3, disabled: false },
        { rule_id: 'socks', person_id: BEN, quantity: 9, disabled: false },
      ]),
    ).toEqual([`socks:${ANA}:3`, `socks:${BEN}:9`, 'kit:-:1']);
  });

  it('disabling removes the item; a person can switch a disabled rule back on', () => {
    expect(run([{ rule_id: 'kit', person_id: null, quantity: null, disabled: true }])).toEqual([`socks:${ANA}:6`, `socks:${BEN}:6`]);
    expect(
      run([
        { rule_id: 'socks', person_id: null, quantity: null, disabled: true },
        { rule_id: 'socks', person_id: ANA, quantity: null, disabled: false },
      ]),
    ).toEqual([`socks:${ANA}:6`, 'kit:-:1']);
  });

  it('quantity 0 means no item; tombstoned overrides are ignored', () => {
    expect(run([{ rule_id: 'socks', person_id: ANA, quantity: 0, disabled: false }])).toEqual([`socks:${BEN}:6`, 'kit:-:1']);
    expect(run([{ rule_id: 'kit', person_id: null, quantity: null, disabled: true, deleted_at: '2026-01-01T00:00:00Z' }])).toContain(
      'kit:-:1',
    );
  });

  it('a person override does not touch shared items', () => {
    expect(run([{ rule_id: 'kit', person_id: ANA, quantity: 5, disabled: true }])).toContain('kit:-:1');
  });
});
