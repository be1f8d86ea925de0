// One engine against the test stack for the long-offline tests: a real
// supabase-js session, fake-indexeddb, a network switch and a clock whose
// offset a test moves (a week offline, a client clock an hour off).
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import type { SupabaseClient } from '@supabase/supabase-js';
import { createSyncEngine, silentLogger, systemClock, type Clock, type SyncEngine } from '../../packages/sync/src/index.ts';
import { createClient } from '@supabase/supabase-js';
import WebSocket from 'ws';
import { NetworkSwitch } from '../faults/cluster.ts';
import type { Stack, User } from '../support/stack.ts';

export interface OffsetClock extends Clock {
  offsetMs: number;
}

export function offsetClock(offsetMs = 0): OffsetClock {
  const clock: OffsetClock = {
    offsetMs,
    now: () => systemClock.now() + clock.offsetMs,
    setTimeout: (fn, ms) => systemClock.setTimeout(fn, ms),
    clearTimeout: (handle) => systemClock.clearTimeout(handle),
  };
  return clock;
}

export interface TestDevice {
  engine: SyncEngine;
  supabase: SupabaseClient;
  net: NetworkSwitch;
  clock: OffsetClock;
  signIn(): Promise<void>;
}

export async function openDevice(s: Stack, user: User, clock = offsetClock()): Promise<TestDevice> {
  const net = new NetworkSwitch();
  // supabase-js goes through the same switch: offline means offline for auth too.
  const supabase = createClient(s.apiUrl, s.anonKey, {
    auth: { persistSession: false, autoRefreshToken: false },
    global: { fetch: net.fetch },
    realtime: { transport: WebSocket as never },
  });
  const signIn = async () => {
    const { error } = await supabase.auth.signInWithPassword({ email: user.email, password: user.password });
    if (error) throw error;
  };
  await signIn();
  const engine = createSyncEngine({
    supabase, url: s.apiUrl, anonKey: s.anonKey, indexedDB: new IDBFactory(), IDBKeyRange, fetch: net.fetch, network: net,
    clock, logger: silentLogger, stream: false, checksum: null,
  });
  await engine.start();
  await engine.syncNow();
  return { engine, supabase, net, clock, signIn };
}

/** Resolves when the engine's status satisfies `test` (an event, not a poll of time). */
export function statusReaches(engine: SyncEngine, test: (s: ReturnType<SyncEngine['status']['get']>) => boolean): Promise<void> {
  return new Promise((resolve) => {
    if (test(engine.status.get())) return resolve();
    const stop = engine.status.subscribe((s) => {
      if (test(s)) {
        stop();
        resolve();
      }
    });
  });
}
