import { QUANTITY_MAX } from '../fields/primitives.ts';
import type { QuantityFormula } from './types.ts';

export interface QuantityInputs {
  readonly relevantDays: number;
  readonly matchingPeople: number;
  readonly laundry: boolean;
}

// Fractions such as 1/3 per day are exact enough in floating point, but a
// tolerance keeps 3 × (1/3) from rounding up to 2.
const EPSILON = 1e-9;

/** The cap before spares: `laundryMax` when laundry is available, else `max`. */
export function capOf(formula: QuantityFormula, laundry: boolean): number | undefined {
  return laundry && formula.laundryMax !== undefined ? formula.laundryMax : formula.max;
}

export function computeQuantity(formula: QuantityFormula, inputs: QuantityInputs): number {
  const raw =
    (formula.base ?? 0) +
    (formula.perDay ?? 0) * inputs.relevantDays +
    (formula.perPerson ?? 0) * inputs.matchingPeople;
  let q = Math.max(0, Math.ceil(raw - EPSILON));
  q = Math.max(q, formula.min ?? 0);
  const cap = capOf(formula, inputs.laundry);
  if (cap !== undefined) q = Math.min(q, cap);
  q += formula.spare ?? 0;
  return Math.min(q, QUANTITY_MAX);
}
