// Calls that go straight to the server without touching the mirror: invite,
// history, and the per-trip checksums recovery compares against.
import { SyncError } from './errors.ts';
import type { Fetch, Transport } from './transport.ts';

export interface HistoryEntry {
  entity: string;
  row_id: string;
  op: string;
  version: number;
  actor: string | null;
  changed_fields: string[] | null;
  at: string;
  cursor: string;
}

export class Remote {
  constructor(private readonly transport: Transport) {}

  /** Rejects with a SyncError (`invite_failed`, `permission_denied`, …) when the server refuses. */
  async invite(tripId: string, email: string, role: 'editor' | 'viewer'): Promise<void> {
    await this.transport.call('invite', { trip_id: tripId, email, role });
  }

  async history(tripId: string, options: { before?: string | null; limit?: number }): Promise<{ entries: HistoryEntry[]; next: string | null }> {
    return this.transport.call('history', {
      trip_id: tripId, before: options.before ?? null, ...(options.limit !== undefined ? { limit: options.limit } : {}),
    });
  }

  /**
   * Checksums through PostgREST's RPC route (`public.trip_checksums`), as
   * hosted Supabase serves it. Where the route is missing (the local stack
   * serves only auth and functions) the answer is null: nothing to compare.
   */
  defaultChecksum(url: string, anonKey: string, fetchFn: Fetch) {
    return async (tripIds: string[], token: string): Promise<Record<string, string> | null> => {
      let response: Response;
      try {
        response = await fetchFn(`${url.replace(/\/+$/, '')}/rest/v1/rpc/trip_checksums`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, apikey: anonKey, 'content-type': 'application/json' },
          body: JSON.stringify({ trip_ids: tripIds }),
        });
      } catch (error) {
        throw new SyncError('network', 'offline', 'Checksums could not be fetched.', true, undefined, undefined, error);
      }
      if (response.status === 404) return null;
      if (!response.ok) return null;
      const rows = (await response.json()) as { trip_id: string; checksum: string }[];
      return Object.fromEntries(rows.map((r) => [r.trip_id, r.checksum]));
    };
  }
}
