// The one place the app builds a sync engine: the browser's IndexedDB, fetch,
// Web Locks and BroadcastChannel are the engine's defaults.
import { createSyncEngine } from '@packsync/sync';
import type { SupabaseClient } from '@supabase/supabase-js';
import type { SyncEngine } from './surface.ts';

export function createEngine(supabase: Pick<SupabaseClient, 'auth'>, url: string, anonKey: string): SyncEngine {
  // The engine validates every row it stores against the model, so reading
  // its rows as the model's types is safe.
  // refreshTimer: supabase-js is made with autoRefreshToken off (supabase.ts).
  return createSyncEngine({ supabase, url, anonKey, refreshTimer: true }) as unknown as SyncEngine;
}
