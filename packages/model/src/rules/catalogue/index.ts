// The built-in catalogue, in the order items are listed. Appending is free;
// renaming or removing an id orphans items and overrides that refer to it
// (catalogue.test.ts pins the ids for that reason).
import type { Catalogue } from '../types.ts';
import { activityRules } from './activities.ts';
import { clothingRules } from './clothing.ts';
import { documentsRules } from './documents.ts';
import { electronicsRules } from './electronics.ts';
import { healthRules } from './health.ts';
import { kidsRules } from './kids.ts';
import { toiletriesRules } from './toiletries.ts';
import { weatherRules } from './weather.ts';

export const builtInCatalogue: Catalogue = [
  ...documentsRules,
  ...clothingRules,
  ...weatherRules,
  ...activityRules,
  ...toiletriesRules,
  ...healthRules,
  ...electronicsRules,
  ...kidsRules,
];
