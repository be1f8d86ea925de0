// Says in words what a catalogue rule does, for the rule browser.
import type { Rule } from '@packsync/model';

const SCOPE: Record<Rule['scope'], string> = {
  trip: 'one for the whole trip',
  person: 'one per person',
  day: 'one per matching day',
  'person-day': 'one per person per matching day',
};

function list(words: readonly string[], joiner = 'or'): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} ${joiner} ${words.at(-1)}`;
}

/** When the rule applies, e.g. "for adults and children, when a day is tagged beach". */
export function describeApplies(rule: Rule): string {
  const a = rule.applies ?? {};
  const parts: string[] = [];
  if (a.kinds) parts.push(`for ${list(a.kinds.map((k) => (k === 'child' ? 'children' : `${k}s`)), 'and')}`);
  if (a.anyTag) parts.push(`when a day is tagged ${list(a.anyTag)}`);
  if (a.settings) parts.push(`when the trip is set to ${list(a.settings, 'and')}`);
  if (a.preferences) parts.push(`for people marked ${list(a.preferences, 'and')}`);
  return parts.length === 0 ? 'always' : parts.join(', ');
}

/** How many, e.g. "1 a day, at most 7 (4 with laundry), plus 1 spare". */
export function describeQuantity(rule: Rule): string {
  const q = rule.quantity;
  const parts: string[] = [];
  const base = q.base ?? 0;
  if (base) parts.push(`${base}`);
  if (q.perDay) parts.push(q.perDay >= 1 ? `${q.perDay} a day` : `1 every ${Math.round(1 / q.perDay)} days`);
  if (q.perPerson) parts.push(`${q.perPerson} per person`);
  let text = parts.length ? parts.join(' + ') : '1';
  if (q.min) text += `, at least ${q.min}`;
  if (q.max) text += `, at most ${q.max}${q.laundryMax !== undefined ? ` (${q.laundryMax} with laundry)` : ''}`;
  if (q.spare) text += `, plus ${q.spare} spare`;
  return `${SCOPE[rule.scope]}: ${text}`;
}
