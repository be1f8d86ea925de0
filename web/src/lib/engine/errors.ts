// Words for errors from the engine and the auth client, shown to a person.

/** A message a person can read, whatever shape the error came in. */
export function errorText(error: unknown): string {
  if (error === null || error === undefined) return '';
  if (typeof error === 'string') return error;
  if (typeof error === 'object' && 'message' in error && typeof error.message === 'string') {
    const code = 'code' in error && typeof error.code === 'string' ? error.code : undefined;
    return code && !error.message.includes(code) ? `${error.message} (${code})` : error.message;
  }
  return String(error);
}

/** "just now", "5 minutes ago", or a date for anything older than a day. */
export function ago(when: string | number | null | undefined, now: number): string {
  if (when === null || when === undefined) return 'never';
  const at = typeof when === 'number' ? when : Date.parse(when);
  if (Number.isNaN(at)) return 'unknown';
  const seconds = Math.round((now - at) / 1000);
  if (seconds < 10) return 'just now';
  if (seconds < 60) return `${seconds} seconds ago`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} minutes ago`;
  if (seconds < 86_400) return `${Math.round(seconds / 3600)} hours ago`;
  return new Date(at).toLocaleString();
}
