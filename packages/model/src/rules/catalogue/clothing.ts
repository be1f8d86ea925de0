import type { Rule } from '../types.ts';

// Everyday clothes for people who dress themselves; infants have their own
// rules in kids.ts. Caps assume a wash once a week, lower with laundry.
export const clothingRules: readonly Rule[] = [
  {
    id: 'clothing.underwear',
    name: 'Underwear',
    category: 'clothing',
    scope: 'person',
    applies: { kinds: ['adult', 'child'] },
    quantity: { perDay: 1, max: 7, laundryMax: 4, spare: 1 },
  },
  {
    id: 'clothing.socks',
    name: 'Socks (pairs)',
    category: 'clothing',
    scope: 'person',
    applies: { kinds: ['adult', 'child'] },
    quantity: { perDay: 1, max: 7, laundryMax: 4, spare: 1 },
  },
  {
    id: 'clothing.tops',
    name: 'T-shirts / tops',
    category: 'clothing',
    scope: 'person',
    applies: { kinds: ['adult', 'child'] },
    quantity: { perDay: 1, max: 7, laundryMax: 4 },
  },
  {
    id: 'clothing.trousers',
    name: 'Trousers / skirts',
    category: 'clothing',
    scope: 'person',
    applies: { kinds: ['adult', 'child'] },
    quantity: { perDay: 1 / 3, min: 1, max: 3, laundryMax: 2 },
  },
  {
    id: 'clothing.sleepwear',
    name: 'Pyjamas',
    category: 'clothing',
    scope: 'person',
    applies: { kinds: ['adult', 'child'] },
    quantity: { perDay: 1 / 4, min: 1, max: 2 },
  },
  {
    id: 'clothing.jumper',
    name: 'Jumper or fleece',
    category: 'clothing',
    scope: 'person',
    applies: { kinds: ['adult', 'child'] },
    quantity: { base: 1 },
  },
  {
    id: 'clothing.walking-shoes',
    name: 'Comfortable shoes',
    category: 'clothing',
    scope: 'person',
    applies: { kinds: ['adult', 'child'] },
    quantity: { base: 1 },
  },
  {
    id: 'clothing.shorts',
    name: 'Shorts',
    category: 'clothing',
    scope: 'person',
    applies: { kinds: ['adult', 'child'], anyTag: ['hot', 'beach'] },
    quantity: { perDay: 1 / 2, min: 1, max: 4, laundryMax: 2 },
  },
];
