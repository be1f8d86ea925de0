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

// Items of one name list by their person's name, so "Socks for Anna" comes before "Socks for Ben" in every group.
function group(key: string, title: string, items: Item[], names: ReadonlyMap<string, string>): ItemGroup {
  const owner = (i: Item) => (i.person_id ? (names.get(i.person_id) ?? '') : '');
  items.sort(
    (a, b) =>
      a.name.localeCompare(b.name) || owner(a).localeCompare(owner(b)) || (a.day ?? '').localeCompare(b.day ?? '') || a.id.localeCompare(b.id),
  );
  return { key, title, items, packed: items.filter((i) => i.packed).length };
}

export function categoryTitle(category: Category): string {
  return category[0]!.toUpperCase() + category.slice(1);
}

/** Categories in the model's order; empty ones are left out. */
export function groupByCategory(items: readonly Item[], people: readonly Person[] = []): ItemGroup[] {
  const names = namesOf(people);
  const buckets = new Map<Category, Item[]>();
  for (const item of items) buckets.set(item.category, [...(buckets.get(item.category) ?? []), item]);
  return CATEGORIES.filter((c) => buckets.has(c)).map((c) => group(c, categoryTitle(c), buckets.get(c)!, names));
}

/** One group per person (in the order given), then the items everyone shares. */
export function groupByPerson(items: readonly Item[], people: readonly Person[]): ItemGroup[] {
  const names = namesOf(people);
  const buckets = new Map<string, Item[]>();
  for (const item of items) {
    // An item of a person this device no longer has (deleted elsewhere) is shown as shared rather than hidden.
    const key = item.person_id && names.has(item.person_id) ? item.person_id : SHARED;
    buckets.set(key, [...(buckets.get(key) ?? []), item]);
  }
  const groups = people.filter((p) => buckets.has(p.id)).map((p) => group(p.id, p.name, buckets.get(p.id)!, names));
  if (buckets.has(SHARED)) groups.push(group(SHARED, 'Shared', buckets.get(SHARED)!, names));
  return groups;
}

function namesOf(people: readonly Person[]): Map<string, string> {
  return new Map(people.map((p) => [p.id, p.name]));
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
