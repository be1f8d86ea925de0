import { describe, expect, it } from 'vitest';
import {
  ENTITY_NAMES,
  entityColumns,
  entityFieldColumns,
  entityFieldSchemas,
  entityPatchSchemas,
  entityRowSchemas,
  isEntityName,
} from './entities.ts';
import { PERSON_ID, problems, TRIP_ID } from './test-helpers.ts';

const USER_ID = '33333333-3333-4333-8333-333333333333';

describe('people, members and overrides', () => {
  it('validates people', () => {
    const person = { trip_id: TRIP_ID, name: 'Ana', kind: 'adult', preferences: { shaves: true } };
    expect(problems(entityFieldSchemas.people, person)).toEqual([]);
    expect(problems(entityFieldSchemas.people, { ...person, name: ' ' })).toEqual(['name: must not be blank']);
    expect(problems(entityFieldSchemas.people, { ...person, name: 'x'.repeat(101) })).toEqual([
      'name: must be at most 100 characters',
    ]);
    expect(problems(entityFieldSchemas.people, { ...person, kind: 'teen' })).toEqual([
      'kind: must be one of adult, child, infant',
    ]);
    expect(problems(entityFieldSchemas.people, { ...person, preferences: { snores: true } })).toEqual([
      'preferences: Unrecognized key: "snores"',
    ]);
  });

  it('validates members', () => {
    const member = { trip_id: TRIP_ID, user_id: USER_ID, role: 'editor' };
    expect(problems(entityFieldSchemas.trip_members, member)).toEqual([]);
    expect(problems(entityFieldSchemas.trip_members, { ...member, role: 'admin' })).toEqual([
      'role: must be one of owner, editor, viewer',
    ]);
  });

  it('validates overrides', () => {
    const override = { trip_id: TRIP_ID, person_id: PERSON_ID, rule_id: 'clothing.socks', quantity: 3, disabled: false };
    expect(problems(entityFieldSchemas.rule_overrides, override)).toEqual([]);
    expect(problems(entityFieldSchemas.rule_overrides, { ...override, person_id: null, quantity: null })).toEqual([]);
    expect(problems(entityFieldSchemas.rule_overrides, { ...override, quantity: -1 })).toEqual(['quantity: must be 0 or more']);
    expect(problems(entityFieldSchemas.rule_overrides, { ...override, quantity: 1000 })).toEqual([
      'quantity: must be 999 or less',
    ]);
    expect(problems(entityFieldSchemas.rule_overrides, { ...override, rule_id: 'Socks!' })).toHaveLength(1);
  });
});

describe('entity maps', () => {
  it('cover every entity', () => {
    for (const map of [entityFieldSchemas, entityPatchSchemas, entityRowSchemas, entityColumns, entityFieldColumns]) {
      expect(Object.keys(map).sort()).toEqual([...ENTITY_NAMES].sort());
    }
    expect(isEntityName('items')).toBe(true);
    expect(isEntityName('users')).toBe(false);
  });

  // Pinned: the SQL migration and the wire use exactly these names. A test
  // against the generated DB types will compare them once the SQL lands.
  it('pin the column names', () => {
    const system = ['id', 'version', 'created_at', 'updated_at', 'deleted_at', 'created_by'];
    expect(entityColumns).toEqual({
      trips: [...system, 'name', 'destination', 'start_date', 'end_date', 'days', 'settings'],
      trip_members: [...system, 'email', 'trip_id', 'user_id', 'role', 'status'],
      people: [...system, 'trip_id', 'name', 'kind', 'preferences'],
      items: [...system, 'trip_id', 'person_id', 'name', 'category', 'quantity', 'packed', 'notes', 'day', 'rule_id', 'generated'],
      rule_overrides: [...system, 'trip_id', 'person_id', 'rule_id', 'quantity', 'disabled'],
    });
  });

  it('field columns are exactly the keys each field schema accepts', () => {
    for (const entity of ENTITY_NAMES) {
      const patch = Object.fromEntries(entityFieldColumns[entity].map((c) => [c, undefined]));
      // Every listed column is a known key of the patch schema (no "unrecognized key").
      expect(problems(entityPatchSchemas[entity], patch), entity).toEqual([]);
    }
  });
});
