// A token refresh whose answer is lost after the auth server rotated the
// refresh token: the client still holds the spent token. GoTrue (and the
// local auth) honour a spent token that is the parent of the session's live
// one, so supabase-js's retry gets the live token and the engine goes on
// syncing: never signed out, never paused. Deterministic: the fault proxy
// loses the answers of the first refreshes, whatever their timing; the
// engine's clock says the token is about to expire, so its first request
// refreshes.
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { createClient } from '@supabase/supabase-js';
import WebSocket from 'ws';
import { createSyncEngine, silentLogger, systemClock } from '../../packages/sync/src/index.ts';
import { ownTrip } from '../support/own-trip.ts';
import { startFaultProxy, type Decision, type FaultProxy } from './proxy.ts';

const w = ownTrip('refresh-lost');
const s = w.s;

/** A proxy that gives the first `lose` refreshes the fault `kind` (the server has rotated the token by then). */
async function losingProxy(kind: 'drop_response' | 'reset_mid_body', lose: number): Promise<FaultProxy & { refreshes: () => number }> {
  let refreshes = 0;
  const proxy = await startFaultProxy(() => s.apiUrl, {
    decide(_method, path): Decision {
      if (!path.includes('grant_type=refresh_token')) return { kind: 'pass' };
      return ++refreshes <= lose ? { kind } : { kind: 'pass' };
    },
  });
  return Object.assign(proxy, { refreshes: () => refreshes });
}

describe('a refresh whose answer is lost after the token was rotated', () => {
  for (const [kind, lose] of [['drop_response', 1], ['reset_mid_body', 1], ['drop_response', 3]] as const) {
    it(`${kind}, ${lose} time(s): the engine refreshes again with the spent token, gets the live one, and syncs`, async () => {
      const proxy = await losingProxy(kind, lose);
      const supabase = createClient(proxy.url, s.anonKey, {
        auth: { persistSession: false, autoRefreshToken: false },
        realtime: { transport: WebSocket as never },
      });
      const { data, error } = await supabase.auth.signInWithPassword({ email: w.user.email, password: w.user.password });
      expect(error).toBeNull();
      const firstRefreshToken = data.session!.refresh_token;
      // The engine's clock runs so that the token expires in 30 s: inside its refresh margin.
      const skew = data.session!.expires_at! * 1000 - Date.now() - 30_000;
      const engine = createSyncEngine({
        supabase, url: proxy.url, anonKey: s.anonKey, indexedDB: new IDBFactory(), IDBKeyRange,
        logger: silentLogger, stream: false, checksum: null, autoSync: false,
        clock: { ...systemClock, now: () => Date.now() + skew },
      });
      try {
        await engine.start();
        const first = await engine.syncNow(); // refreshes first: its answers are the lost ones
        expect({ error: first.error?.toJSON() ?? null, state: engine.status.get().state }).toEqual({ error: null, state: 'idle' });
        const id = await engine.create('items', { trip_id: w.trip, name: `after ${kind}` });
        const summary = await engine.syncNow();
        expect(proxy.refreshes(), 'refreshes through the proxy').toBeGreaterThan(lose);
        expect(summary.error).toBeNull();
        expect(engine.status.get().state).toBe('idle');
        const { data: after } = await supabase.auth.getSession();
        expect(after.session?.refresh_token).toBeDefined();
        expect(after.session!.refresh_token).not.toBe(firstRefreshToken);
        const [row] = await w.sql`select name from public.items where id = ${id}`;
        expect(row?.name).toBe(`after ${kind}`);
      } finally {
        await engine.stop();
        await proxy.close();
      }
    });
  }
});
