// The one place the app builds a sync engine: the browser's IndexedDB and
// fetch are the engine's defaults.
import { createSyncEngine } from '@packsync/sync';
import type { SupabaseClient } from '@supabase/supabase-js';
import type { SyncEngine } from './surface.ts';

export function createEngine(supabase: SupabaseClient, url: string, anonKey: string): SyncEngine {
  return createSyncEngine({ supabase, url, anonKey }) as unknown as SyncEngine;
}
