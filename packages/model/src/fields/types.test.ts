// Compile-time checks (run by `tsc --noEmit`): the inferred types are the
// column shapes other packages code against.
import { describe, expectTypeOf, it } from 'vitest';
import type { Item, ItemFields, ItemPatch, Trip, TripFields } from '../index.ts';
import type { RuleOverride } from './rule-override.ts';

type Flat<T> = { [K in keyof T]: T[K] };

describe('inferred types', () => {
  it('are exact column shapes', () => {
    expectTypeOf<ItemFields>().toEqualTypeOf<{
      trip_id: string;
      person_id: string | null;
      name: string;
      category: 'clothing' | 'toiletries' | 'documents' | 'electronics' | 'health' | 'kids' | 'gear' | 'misc';
      quantity: number;
      packed: boolean;
      notes: string;
      day: string | null;
      rule_id: string | null;
      generated: { name: string; quantity: number; category: ItemFields['category']; notes: string } | null;
    }>();
    expectTypeOf<ItemPatch>().toEqualTypeOf<Partial<ItemFields>>();
    expectTypeOf<Item>().toEqualTypeOf<
      Flat<ItemFields & { id: string; version: number; created_at: string; updated_at: string; deleted_at: string | null; created_by: string | null }>
    >();
    expectTypeOf<TripFields['days'][number]['tags'][number]>().toEqualTypeOf<
      'beach' | 'hiking' | 'formal' | 'cold' | 'hot' | 'rain' | 'snow' | 'travel' | 'business' | 'swimming' | 'camping'
    >();
    expectTypeOf<Trip['settings']>().toEqualTypeOf<{ laundry?: boolean; international?: boolean; flying?: boolean; driving?: boolean }>();
    expectTypeOf<RuleOverride['quantity']>().toEqualTypeOf<number | null>();
  });
});
