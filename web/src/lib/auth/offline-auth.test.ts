import { AuthRetryableFetchError, AuthApiError, type SupabaseClient } from '@supabase/supabase-js';
import { describe, expect, it } from 'vitest';
import { offlineTolerantAuth, storedSession } from './offline-auth.ts';

const KEY = 'packsync-auth';
const session = { access_token: 'a', refresh_token: 'r', expires_at: 1, user: { id: 'u1' } };
// isOffline(): the browser says it is online.
const notOffline = () => false;
const storage = (value: unknown) => ({ getItem: (k: string) => (k === KEY && value !== undefined ? JSON.stringify(value) : null) });

// supabase-js's auth client is the collaborator: it answers getSession as the real one does offline or signed out.
function auth(answer: { session: unknown; error: unknown }) {
  return {
    getSession: async () => ({ data: { session: answer.session }, error: answer.error }),
    signOut: async function (this: { tag?: string }) { return this.tag; },
    tag: 'original',
  } as unknown as SupabaseClient['auth'];
}

describe('offlineTolerantAuth', () => {
  it('answers with the stored session when the refresh could not reach the server', async () => {
    const wrapped = offlineTolerantAuth(auth({ session: null, error: new AuthRetryableFetchError('Failed to fetch', 0) }), storage(session), KEY, notOffline);
    expect((await wrapped.getSession()).data.session?.user.id).toBe('u1');
  });

  it('answers from storage at once while the browser is offline, without asking the auth client', async () => {
    const never = { getSession: () => new Promise(() => {}) } as unknown as SupabaseClient['auth'];
    const wrapped = offlineTolerantAuth(never, storage(session), KEY, () => true);
    expect((await wrapped.getSession()).data.session?.user.id).toBe('u1');
  });

  it('keeps "signed out" when the server refused the session or nothing is stored', async () => {
    const refused = offlineTolerantAuth(auth({ session: null, error: new AuthApiError('Invalid Refresh Token', 400, 'refresh_token_not_found') }), storage(session), KEY, notOffline);
    expect((await refused.getSession()).data.session).toBeNull();
    const nothing = offlineTolerantAuth(auth({ session: null, error: new AuthRetryableFetchError('Failed to fetch', 0) }), storage(undefined), KEY, notOffline);
    expect((await nothing.getSession()).data.session).toBeNull();
    const signedOut = offlineTolerantAuth(auth({ session: null, error: null }), storage(session), KEY, notOffline);
    expect((await signedOut.getSession()).data.session).toBeNull();
  });

  it('passes everything else to the auth client, bound to it', async () => {
    const wrapped = offlineTolerantAuth(auth({ session: null, error: null }), storage(undefined), KEY, notOffline);
    expect(await wrapped.signOut()).toBe('original');
  });
});

describe('storedSession', () => {
  it('reads only a whole session', () => {
    expect(storedSession(storage(session), KEY)?.refresh_token).toBe('r');
    expect(storedSession(storage({ access_token: 'a' }), KEY)).toBeNull();
    expect(storedSession({ getItem: () => '{not json' }, KEY)).toBeNull();
  });
});
