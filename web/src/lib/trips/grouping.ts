// How the packing list is shown: by category or by person, in a stable order
// so a list does not jump around while someone ticks items off.
import { CATEGORIES, type Category, type Item, type Person } from '@packsync/model';

export type GroupBy = 'category' | 'person';

export interface ItemGroup {
  key: string;
  title: string;
  items: Item[];
  packed: number;
}

const SHARED = 'shared';

function byName(a: Item, b: Item): number {
  return a.name.localeCompare(b.name) || (a.day ?? '').localeCompare(b.day ?? '') || a.id.localeCompare(b.id);
}

function group(key: string, title: string, items: Item[]): ItemGroup {
  items.sort(byName);
  return { key, title, items, packed: items.filter((i) => i.packed).length };
}

export function categoryTitle(category: Category): string {
  return category[0]!.toUpperCase() + category.slice(1);
}

/** Categories in the model's order; empty ones are left out. */
export function groupByCategory(items: readonly Item[]): ItemGroup[] {
  const buckets = new Map<Category, Item[]>();
  for (const item of items) buckets.set(item.category, [...(buckets.get(item.category) ?? []), item]);
  return CATEGORIES.filter((c) => buckets.has(c)).map((c) => group(c, categoryTitle(c), buckets.get(c)!));
}

/** One group per person (in the order given), then the items everyone shares. */
export function groupByPerson(items: readonly Item[], people: readonly Person[]): ItemGroup[] {
  const known = new Set(people.map((p) => p.id));
  const buckets = new Map<string, Item[]>();
  for (const item of items) {
    // An item of a person this device no longer has (deleted elsewhere) is shown as shared rather than hidden.
    const key = item.person_id && known.has(item.person_id) ? item.person_id : SHARED;
    buckets.set(key, [...(buckets.get(key) ?? []), item]);
  }
  const groups = people.filter((p) => buckets.has(p.id)).map((p) => group(p.id, p.name, buckets.get(p.id)!));
  if (buckets.has(SHARED)) groups.push(group(SHARED, 'Shared', buckets.get(SHARED)!));
  return groups;
}

export interface Progress {
  packed: number;
  total: number;
  /** 0..100, rounded down so 100 means everything is packed. */
  percent: number;
}

export function progressOf(items: readonly Pick<Item, 'packed'>[]): Progress {
  const packed = items.filter((i) => i.packed).length;
  return { packed, total: items.length, percent: items.length === 0 ? 0 : Math.floor((packed * 100) / items.length) };
}
