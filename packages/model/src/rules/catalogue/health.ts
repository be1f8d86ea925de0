import type { Rule } from '../types.ts';

export const healthRules: readonly Rule[] = [
  {
    id: 'health.first-aid-kit',
    name: 'First-aid kit',
    category: 'health',
    scope: 'trip',
    quantity: { base: 1 },
  },
  {
    id: 'health.painkillers',
    name: 'Painkillers',
    category: 'health',
    scope: 'trip',
    applies: { kinds: ['adult'] },
    quantity: { base: 1 },
  },
  {
    id: 'health.medication',
    name: 'Regular medication',
    category: 'health',
    scope: 'person',
    applies: { preferences: ['medication'] },
    quantity: { base: 1 },
    notes: 'Enough for the whole trip plus three days, in hand luggage.',
  },
  {
    id: 'health.glasses',
    name: 'Glasses and case',
    category: 'health',
    scope: 'person',
    applies: { preferences: ['glasses'] },
    quantity: { base: 1 },
  },
  {
    id: 'health.insect-repellent',
    name: 'Insect repellent',
    category: 'health',
    scope: 'trip',
    applies: { anyTag: ['camping', 'hiking', 'hot'] },
    quantity: { base: 1 },
  },
  {
    id: 'health.hand-sanitiser',
    name: 'Hand sanitiser',
    category: 'health',
    scope: 'trip',
    applies: { anyTag: ['travel', 'camping'] },
    quantity: { base: 1 },
  },
];
