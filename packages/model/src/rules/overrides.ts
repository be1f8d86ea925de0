import type { RuleOverrideFields } from '../fields/rule-override.ts';

/** The parts of an override evaluation reads; full rows fit. */
export type OverrideInput = Pick<RuleOverrideFields, 'person_id' | 'rule_id' | 'quantity' | 'disabled'> & {
  readonly id?: string;
  readonly deleted_at?: string | null;
};

export interface EffectiveOverride {
  readonly disabled: boolean;
  /** null: keep the rule's own quantity. */
  readonly quantity: number | null;
}

const NO_OVERRIDE: EffectiveOverride = { disabled: false, quantity: null };

/**
 * Looks up the override for (rule, person). A person's own override wins over
 * the trip-wide one field by field: its `disabled` decides (so it can switch a
 * rule back on for one person), and its quantity, when set, wins.
 */
export class OverrideIndex {
  private readonly byKey = new Map<string, OverrideInput>();

  constructor(overrides: readonly OverrideInput[]) {
    // The database keeps one live override per key. Should two arrive anyway
    // (an unsynced local row), the larger id wins so every client agrees.
    for (const o of overrides) {
      if (o.deleted_at) continue;
      const key = keyOf(o.rule_id, o.person_id);
      const seen = this.byKey.get(key);
      if (!seen || (o.id ?? '') > (seen.id ?? '')) this.byKey.set(key, o);
    }
  }

  resolve(ruleId: string, personId: string | null): EffectiveOverride {
    const tripWide = this.byKey.get(keyOf(ruleId, null));
    const own = personId === null ? undefined : this.byKey.get(keyOf(ruleId, personId));
    if (!tripWide && !own) return NO_OVERRIDE;
    return {
      disabled: (own ?? tripWide)!.disabled,
      quantity: own?.quantity ?? tripWide?.quantity ?? null,
    };
  }
}

function keyOf(ruleId: string, personId: string | null): string {
  return `${ruleId}\u0000${personId ?? ''}`;
}
