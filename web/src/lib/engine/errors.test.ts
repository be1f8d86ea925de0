import { describe, expect, it } from 'vitest';
import { ago, errorText } from './errors.ts';

describe('errorText', () => {
  it('reads strings, errors with codes and plain objects', () => {
    expect(errorText('offline')).toBe('offline');
    expect(errorText({ code: 'invite_failed', message: 'Could not invite' })).toBe('Could not invite (invite_failed)');
    expect(errorText(new Error('boom'))).toBe('boom');
    expect(errorText(null)).toBe('');
  });
});

describe('ago', () => {
  const now = Date.parse('2026-12-01T12:00:00Z');
  it('says how long ago', () => {
    expect(ago(null, now)).toBe('never');
    expect(ago(now - 3_000, now)).toBe('just now');
    expect(ago('2026-12-01T11:59:30Z', now)).toBe('30 seconds ago');
    expect(ago(now - 5 * 60_000, now)).toBe('5 minutes ago');
    expect(ago(now - 3 * 3_600_000, now)).toBe('3 hours ago');
  });
});
