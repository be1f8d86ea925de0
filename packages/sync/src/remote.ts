// Calls that go straight to the server without touching the mirror: invite,
// history, and the per-trip checksums recovery compares against.
import type { Logger } from './collaborators.ts';
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
   * hosted Supabase serves it. The comparison is a safety net, never a reason
   * to stop syncing: where the route is missing (the local stack serves only
   * auth and functions; its 404 carries no CORS headers, so a browser sees a
   * failed fetch) or fails, the answer is null and nothing is compared. After
   * a 404 or a failed fetch it is not asked again in this session.
   */
  defaultChecksum(url: string, anonKey: string, fetchFn: Fetch, logger: Logger) {
    let unavailable = false;
    return async (tripIds: string[], token: string): Promise<Record<string, string> | null> => {
      if (unavailable) return null;
      try {
        const response = await fetchFn(`${url.replace(/\/+$/, '')}/rest/v1/rpc/trip_checksums`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, apikey: anonKey, 'content-type': 'application/json' },
          body: JSON.stringify({ trip_ids: tripIds }),
        });
        if (response.status === 404) unavailable = true;
        if (!response.ok) return null;
        const rows = (await response.json()) as { trip_id: string; checksum: string }[];
        return Object.fromEntries(rows.map((r) => [r.trip_id, r.checksum]));
      } catch (error) {
        unavailable = true;
        logger.debug('checksum_unavailable', { error: String(error) });
        return null;
      }
    };
  }
}
