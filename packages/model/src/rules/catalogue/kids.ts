import type { Rule } from '../types.ts';

// Infants change several times a day and are not counted by the clothing
// rules; children get a few comforts of their own.
export const kidsRules: readonly Rule[] = [
  {
    id: 'kids.bodysuits',
    name: 'Bodysuits',
    category: 'kids',
    scope: 'person',
    applies: { kinds: ['infant'] },
    quantity: { perDay: 2, max: 10, laundryMax: 6, spare: 2 },
  },
  {
    id: 'kids.sleepsuits',
    name: 'Sleepsuits',
    category: 'kids',
    scope: 'person',
    applies: { kinds: ['infant'] },
    quantity: { perDay: 1, max: 5, laundryMax: 3, spare: 1 },
  },
  {
    // Six a day; beyond ten days buy more there.
    id: 'kids.nappies',
    name: 'Nappies',
    category: 'kids',
    scope: 'person',
    applies: { kinds: ['infant'] },
    quantity: { perDay: 6, max: 60, spare: 4 },
  },
  {
    id: 'kids.wipes',
    name: 'Baby wipes (packs)',
    category: 'kids',
    scope: 'trip',
    applies: { kinds: ['infant'] },
    quantity: { perDay: 1 / 3, min: 1, max: 5 },
  },
  {
    id: 'kids.changing-mat',
    name: 'Changing mat',
    category: 'kids',
    scope: 'trip',
    applies: { kinds: ['infant'] },
    quantity: { base: 1 },
  },
  {
    id: 'kids.bottles',
    name: 'Baby bottles',
    category: 'kids',
    scope: 'person',
    applies: { kinds: ['infant'] },
    quantity: { base: 2 },
  },
  {
    id: 'kids.baby-food',
    name: 'Formula or baby food',
    category: 'kids',
    scope: 'person',
    applies: { kinds: ['infant'] },
    quantity: { base: 1 },
    notes: 'Enough for the journey and the first day.',
  },
  {
    id: 'kids.pushchair',
    name: 'Pushchair or baby carrier',
    category: 'kids',
    scope: 'trip',
    applies: { kinds: ['infant'] },
    quantity: { base: 1 },
  },
  {
    id: 'kids.comfort-toy',
    name: 'Favourite toy',
    category: 'kids',
    scope: 'person',
    applies: { kinds: ['child', 'infant'] },
    quantity: { base: 1 },
  },
  {
    id: 'kids.travel-games',
    name: 'Travel games or activity book',
    category: 'kids',
    scope: 'person',
    applies: { kinds: ['child'], anyTag: ['travel'] },
    quantity: { base: 1 },
  },
];
