import { describe, expect, it } from 'vitest';
import { generatedSnapshot } from '../fields/item.ts';
import { RULE_ID_PATTERN, ruleId } from '../fields/primitives.ts';
import { builtInCatalogue } from './catalogue/index.ts';

// Ids are stored in items and overrides on every device. Renaming one orphans
// them, so this list changes only on purpose (append new ids at the end of
// their group; never edit an existing line).
const PINNED_IDS = [
  'documents.passport',
  'documents.id-card',
  'documents.payment-cards',
  'documents.tickets',
  'documents.driving-licence',
  'documents.travel-insurance',
  'documents.business-cards',
  'clothing.underwear',
  'clothing.socks',
  'clothing.tops',
  'clothing.trousers',
  'clothing.sleepwear',
  'clothing.jumper',
  'clothing.walking-shoes',
  'clothing.shorts',
  'weather.warm-coat',
  'weather.gloves',
  'weather.warm-hat',
  'weather.thermals',
  'weather.snow-boots',
  'weather.rain-jacket',
  'weather.umbrella',
  'weather.sun-hat',
  'weather.sunglasses',
  'weather.water-bottle',
  'beach.swimsuit',
  'beach.towel',
  'beach.sandals',
  'swimming.goggles',
  'hiking.boots',
  'hiking.daypack',
  'hiking.trail-snacks',
  'camping.tent',
  'camping.sleeping-bag',
  'camping.head-torch',
  'camping.stove',
  'formal.outfit',
  'formal.shoes',
  'business.outfit',
  'travel.snacks',
  'travel.neck-pillow',
  'misc.laundry-bag',
  'toiletries.toothbrush',
  'toiletries.toothpaste',
  'toiletries.shampoo',
  'toiletries.deodorant',
  'toiletries.hairbrush',
  'toiletries.razor',
  'toiletries.makeup',
  'toiletries.contact-lenses',
  'toiletries.lens-solution',
  'toiletries.sunscreen',
  'toiletries.lip-balm',
  'health.first-aid-kit',
  'health.painkillers',
  'health.medication',
  'health.glasses',
  'health.insect-repellent',
  'health.hand-sanitiser',
  'electronics.phone-charger',
  'electronics.power-bank',
  'electronics.travel-adapter',
  'electronics.laptop',
  'electronics.headphones',
  'electronics.e-reader',
  'kids.bodysuits',
  'kids.sleepsuits',
  'kids.nappies',
  'kids.wipes',
  'kids.changing-mat',
  'kids.bottles',
  'kids.baby-food',
  'kids.pushchair',
  'kids.comfort-toy',
  'kids.travel-games',
];

describe('built-in catalogue', () => {
  it('has the pinned ids, in order', () => {
    expect(builtInCatalogue.map((r) => r.id)).toEqual(PINNED_IDS);
    expect(builtInCatalogue.length).toBeGreaterThanOrEqual(40);
  });

  it('ids are unique and valid rule ids', () => {
    const ids = builtInCatalogue.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) {
      expect(id, id).toMatch(RULE_ID_PATTERN);
      expect(ruleId.safeParse(id).success, id).toBe(true);
    }
  });

  it('every rule produces a valid item snapshot', () => {
    for (const rule of builtInCatalogue) {
      const snapshot = { name: rule.name, quantity: 1, category: rule.category, notes: rule.notes ?? '' };
      expect(generatedSnapshot.safeParse(snapshot).success, rule.id).toBe(true);
    }
  });

  it('formulas are well formed: min <= laundryMax <= max, non-negative parts', () => {
    for (const { id, quantity: q } of builtInCatalogue) {
      for (const part of [q.base, q.perDay, q.perPerson, q.min, q.max, q.laundryMax, q.spare]) {
        if (part !== undefined) expect(part, id).toBeGreaterThanOrEqual(0);
      }
      if (q.laundryMax !== undefined) expect(q.max, `${id} laundryMax needs a max`).toBeDefined();
      if (q.max !== undefined) {
        expect(q.min ?? 0, id).toBeLessThanOrEqual(q.laundryMax ?? q.max);
        expect(q.laundryMax ?? q.max, id).toBeLessThanOrEqual(q.max);
      }
      // A formula with nothing to multiply would never produce an item.
      expect((q.base ?? 0) + (q.perDay ?? 0) + (q.perPerson ?? 0) + (q.min ?? 0), id).toBeGreaterThan(0);
    }
  });

  it('day-scoped rules name the tags that pick their days', () => {
    for (const rule of builtInCatalogue) {
      if (rule.scope === 'day' || rule.scope === 'person-day') expect(rule.applies?.anyTag?.length, rule.id).toBeGreaterThan(0);
    }
  });
});
