import type { Rule } from '../types.ts';

export const documentsRules: readonly Rule[] = [
  {
    // Everyone crossing a border needs one, babies included.
    id: 'documents.passport',
    name: 'Passport',
    category: 'documents',
    scope: 'person',
    applies: { settings: ['international'] },
    quantity: { base: 1 },
    notes: 'Check it is valid for at least six months after you return.',
  },
  {
    id: 'documents.id-card',
    name: 'ID card',
    category: 'documents',
    scope: 'person',
    applies: { kinds: ['adult'] },
    quantity: { base: 1 },
  },
  {
    id: 'documents.payment-cards',
    name: 'Bank cards and some cash',
    category: 'documents',
    scope: 'person',
    applies: { kinds: ['adult'] },
    quantity: { base: 1 },
  },
  {
    id: 'documents.tickets',
    name: 'Tickets and bookings',
    category: 'documents',
    scope: 'trip',
    applies: { anyTag: ['travel'] },
    quantity: { base: 1 },
  },
  {
    id: 'documents.driving-licence',
    name: 'Driving licence',
    category: 'documents',
    scope: 'trip',
    applies: { settings: ['driving'] },
    quantity: { base: 1 },
  },
  {
    id: 'documents.travel-insurance',
    name: 'Travel insurance details',
    category: 'documents',
    scope: 'trip',
    applies: { settings: ['international'] },
    quantity: { base: 1 },
  },
  {
    id: 'documents.business-cards',
    name: 'Business cards',
    category: 'documents',
    scope: 'person',
    applies: { kinds: ['adult'], anyTag: ['business'] },
    quantity: { base: 1 },
  },
];
