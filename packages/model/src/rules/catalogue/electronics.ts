import type { Rule } from '../types.ts';

export const electronicsRules: readonly Rule[] = [
  {
    id: 'electronics.phone-charger',
    name: 'Phone and charger',
    category: 'electronics',
    scope: 'person',
    applies: { kinds: ['adult'] },
    quantity: { base: 1 },
  },
  {
    id: 'electronics.power-bank',
    name: 'Power bank',
    category: 'electronics',
    scope: 'trip',
    applies: { anyTag: ['travel', 'hiking', 'camping'] },
    quantity: { base: 1 },
  },
  {
    // Plugs are shared: one per two adults.
    id: 'electronics.travel-adapter',
    name: 'Travel plug adapter',
    category: 'electronics',
    scope: 'trip',
    applies: { kinds: ['adult'], settings: ['international'] },
    quantity: { perPerson: 1 / 2, min: 1, max: 4 },
  },
  {
    id: 'electronics.laptop',
    name: 'Laptop and charger',
    category: 'electronics',
    scope: 'person',
    applies: { preferences: ['laptop'] },
    quantity: { base: 1 },
  },
  {
    id: 'electronics.headphones',
    name: 'Headphones',
    category: 'electronics',
    scope: 'person',
    applies: { kinds: ['adult', 'child'], anyTag: ['travel'] },
    quantity: { base: 1 },
  },
  {
    id: 'electronics.e-reader',
    name: 'Book or e-reader',
    category: 'electronics',
    scope: 'person',
    applies: { preferences: ['reads'] },
    quantity: { base: 1 },
  },
];
