import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { offlineTolerantAuth } from './auth/offline-auth.ts';

/** The local stack's URL and well-known anon key, as `npm start` runs them. */
const LOCAL_URL = 'http://127.0.0.1:54321';
const LOCAL_ANON_KEY =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24iLCJleHAiOjE5ODM4MTI5OTZ9.CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0';

/** The project the app talks to; the sync engine is given the same. */
export const supabaseUrl = import.meta.env.VITE_SUPABASE_URL || LOCAL_URL;
export const supabaseAnonKey = import.meta.env.VITE_SUPABASE_ANON_KEY || LOCAL_ANON_KEY;

/** Where supabase-js keeps the session (named, so the offline fallback can read it). */
const AUTH_STORAGE_KEY = 'packsync-auth';

// The sync engine keeps the token fresh (its refresh timer, create.ts), not
// supabase-js: supabase-js's own timer also ticks while offline, fails, and
// then answers every refresh of that token from its cache of the failure for
// a minute, so a device back from a long offline spell would wait that long
// to sync. The engine asks for no refresh while the network is down.
const client = createClient(supabaseUrl, supabaseAnonKey, { auth: { storageKey: AUTH_STORAGE_KEY, autoRefreshToken: false } });

/**
 * The app uses only the auth part of supabase-js (all data goes through the
 * sync engine); its `getSession` keeps the person signed in while offline
 * (see auth/offline-auth.ts).
 */
export const supabase: Pick<SupabaseClient, 'auth'> = {
  auth: offlineTolerantAuth(client.auth, globalThis.localStorage, AUTH_STORAGE_KEY, () => globalThis.navigator?.onLine === false),
};
