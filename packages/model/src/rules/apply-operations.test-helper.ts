// A tiny stand-in for the ChangeTracker: applies regeneration operations to
// an in-memory item list. Deletes leave tombstones, as the server does.
import type { ItemFields } from '../fields/item.ts';
import type { Operation } from './regenerate.ts';

export type StoredItem = ItemFields & { id: string; deleted_at: string | null };

export function applyOperations(items: readonly StoredItem[], ops: readonly Operation[]): StoredItem[] {
  const out = items.map((i) => ({ ...i }));
  const live = (id: string) => {
    const item = out.find((i) => i.id === id && i.deleted_at === null);
    if (!item) throw new Error(`operation on missing or deleted item ${id}`);
    return item;
  };
  for (const op of ops) {
    switch (op.op) {
      case 'create':
        if (out.some((i) => i.id === op.id)) throw new Error(`duplicate id ${op.id}`);
        out.push({ ...op.fields, id: op.id, deleted_at: null });
        break;
      case 'update':
        Object.assign(live(op.id), op.fields);
        break;
      case 'delete':
        live(op.id).deleted_at = '2026-01-01T00:00:00Z';
        break;
      case 'flag':
        live(op.id);
        break;
    }
  }
  return out;
}

export function counterIds(prefix = 'new'): () => string {
  let n = 0;
  return () => `${prefix}-${String(++n).padStart(4, '0')}`;
}
