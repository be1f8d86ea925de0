// Conflict values are arbitrary column values (text, numbers, booleans, JSON
// such as a trip's days). These turn them into text a person can read and
// edit, and back into the column's type.

export function showValue(value: unknown): string {
  if (value === undefined) return '—';
  if (value === null) return '(empty)';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

/** Text for an edit box: strings as they are, everything else as JSON. */
export function editText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value ?? null);
}

/** Parses edited text back into the type `like` has; throws a readable error. */
export function parseEdited(field: string, text: string, like: unknown): unknown {
  if (typeof like === 'string') return text;
  if (typeof like === 'number') {
    const n = Number(text);
    if (text.trim() === '' || !Number.isFinite(n)) throw new Error(`${field}: enter a number`);
    return n;
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${field}: not valid JSON`);
  }
}
