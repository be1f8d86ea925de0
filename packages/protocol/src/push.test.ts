import { describe, expect, it } from 'vitest';
import { MAX_CHANGES_PER_PUSH } from './limits.ts';
import { pushRequest } from './push.ts';

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const item = (fields: Record<string, unknown>) => ({
  change_id: id(1), entity: 'items', op: 'upsert', id: id(2), base_version: null, fields,
});
const push = (changes: unknown[]) => pushRequest.safeParse({ client_id: id(9), changes });

describe('pushRequest', () => {
  it('accepts an upsert with any subset of the entity fields and a bare delete', () => {
    expect(push([item({ name: 'Socks', packed: true }), { ...item({}), op: 'delete', base_version: 3 }]).success).toBe(true);
    expect(push([{ ...item({}), op: 'delete', base_version: 3, fields: null }]).success).toBe(true);
    const { fields: _, ...bare } = { ...item({}), op: 'delete' };
    expect(push([bare]).success).toBe(true);
  });

  it('checks fields with the model schema of the named entity', () => {
    const r = push([item({ packed: 'yes' })]);
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.path).toEqual(['changes', 0, 'fields', 'packed']);
    // `destination` is a trip column, not an item column.
    expect(push([item({ destination: 'Rome' })]).success).toBe(false);
  });

  it('refuses unknown entities, unknown keys, server columns and fields on a delete', () => {
    expect(push([{ ...item({}), entity: 'users' }]).success).toBe(false);
    expect(push([{ ...item({}), extra: 1 }]).success).toBe(false);
    expect(push([item({ version: 7 })]).success).toBe(false);
    expect(push([{ ...item({ name: 'x' }), op: 'delete' }]).success).toBe(false);
    expect(pushRequest.safeParse({ client_id: id(9), changes: [], more: true }).success).toBe(false);
  });

  it('caps the batch', () => {
    const many = Array.from({ length: MAX_CHANGES_PER_PUSH + 1 }, () => item({}));
    expect(push(many.slice(1)).success).toBe(true);
    expect(push(many).success).toBe(false);
  });
});
