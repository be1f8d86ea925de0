// Calls that go straight to the server without touching the mirror: invite,
// history, and the per-trip checksums recovery compares against.
import { MAX_CHECKSUM_TRIPS, type ChecksumResponse } from '@packsync/protocol';
import type { Transport } from './transport.ts';

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
   * Checksums through the sync function (`POST /sync/checksum`, which calls
   * `public.trip_checksums` as the caller), in requests of at most
   * MAX_CHECKSUM_TRIPS trips. Trips the caller cannot see have no entry.
   */
  defaultChecksum() {
    return async (tripIds: string[]): Promise<Record<string, string> | null> => {
      const checksums: Record<string, string> = {};
      for (let i = 0; i < tripIds.length; i += MAX_CHECKSUM_TRIPS) {
        const answer = await this.transport.call<ChecksumResponse>('checksum', { trip_ids: tripIds.slice(i, i + MAX_CHECKSUM_TRIPS) });
        for (const { trip_id, checksum } of answer.checksums) checksums[trip_id] = checksum;
      }
      return checksums;
    };
  }
}
