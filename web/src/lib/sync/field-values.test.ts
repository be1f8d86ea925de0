import { describe, expect, it } from 'vitest';
import { editText, parseEdited, showValue } from './field-values.ts';

describe('conflict field values', () => {
  it('round-trip through edit text in the type of the original', () => {
    for (const value of ['Socks', 3, true, null, [{ date: '2026-12-24', label: 'Eve', tags: ['formal'] }]]) {
      expect(parseEdited('f', editText(value), value)).toEqual(value);
    }
  });
  it('refuse what does not parse, naming the field', () => {
    expect(() => parseEdited('quantity', 'three', 2)).toThrow('quantity: enter a number');
    expect(() => parseEdited('quantity', '', 2)).toThrow('quantity: enter a number');
    expect(() => parseEdited('days', '[{', [])).toThrow('days: not valid JSON');
  });
  it('show absent and empty values distinctly', () => {
    expect(showValue(undefined)).toBe('—');
    expect(showValue(null)).toBe('(empty)');
    expect(showValue({ a: 1 })).toBe('{"a":1}');
  });
});
