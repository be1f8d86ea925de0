// Keeps a person signed in on this device while offline. supabase-js reports
// "no session" when the access token has expired and the refresh cannot reach
// the server, although the session (and its refresh token) is still stored.
// Offline that would lock the person out of their own data, so this adapter
// answers with the stored session instead; the sync engine refreshes the
// token once the server can be reached (and pauses if the refresh is refused).
import { isAuthRetryableFetchError, type Session, type SupabaseClient } from '@supabase/supabase-js';

type Auth = SupabaseClient['auth'];

/** The session supabase-js stored under `key`, expired or not; null when there is none. */
export function storedSession(storage: Pick<Storage, 'getItem'>, key: string): Session | null {
  const raw = storage.getItem(key);
  if (!raw) return null;
  try {
    const value = JSON.parse(raw) as Partial<Session> | null;
    const valid = typeof value?.access_token === 'string' && typeof value.refresh_token === 'string' && typeof value.user?.id === 'string';
    return valid ? (value as Session) : null;
  } catch {
    return null;
  }
}

/**
 * `auth` with a getSession that answers with the stored session while the
 * browser is offline (supabase-js would first retry the refresh for up to 30
 * seconds, and the app would wait that long to open), and falls back to it
 * when only the network failed.
 */
export function offlineTolerantAuth(auth: Auth, storage: Pick<Storage, 'getItem'>, key: string, isOffline: () => boolean): Auth {
  const getSession: Auth['getSession'] = async () => {
    if (isOffline()) {
      const session = storedSession(storage, key);
      if (session) return { data: { session }, error: null };
    }
    const result = await auth.getSession();
    if (result.data.session || !result.error || !isAuthRetryableFetchError(result.error)) return result;
    const session = storedSession(storage, key);
    return session ? { data: { session }, error: null } : result;
  };
  return new Proxy(auth, {
    get(target, property, receiver) {
      if (property === 'getSession') return getSession;
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
