// pushOnce with a scripted server: a refusal the server marks retryable
// (`retry_later`, its per-push work bound) is sent again later, never
// parked; a permanent refusal is parked with its error.
import { randomUUID } from 'node:crypto';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import type { Change, PushResponse } from '@packsync/protocol';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ConflictResolver } from './conflicts.ts';
import { PacksyncDb } from './db.ts';
import { pushOnce } from './push.ts';
import { FakeClock } from './testing/fake-clock.ts';
import { ChangeTracker } from './tracker.ts';
import type { Transport } from './transport.ts';

let db: PacksyncDb;
let tracker: ChangeTracker;

beforeEach(async () => {
  db = new PacksyncDb(`push-test-${randomUUID()}`, { indexedDB: new IDBFactory(), IDBKeyRange });
  await db.open();
  tracker = new ChangeTracker({
    db, clock: new FakeClock(), userId: randomUUID(), uuid: () => randomUUID(),
    onInvalidLocalRow: () => {}, onQueued: () => {},
  });
});

/** A transport whose push refuses every change with `code`. */
function refusing(code: string): { transport: Transport; sent: Change[][] } {
  const sent: Change[][] = [];
  const transport = {
    async push(_clientId: string, changes: Change[]): Promise<PushResponse> {
      sent.push(changes);
      return {
        results: changes.map((c) => ({
          change_id: c.change_id, status: 'rejected', version: null, row: null, conflict: null,
          error: { code, message: `refused: ${code}` },
        })),
      } as PushResponse;
    },
  } as unknown as Transport;
  return { transport, sent };
}

const resolver = {} as ConflictResolver;

describe('pushOnce', () => {
  it('sends a change refused with retry_later again instead of parking it', async () => {
    await tracker.create('trips', { name: 'Ski week' });
    const server = refusing('retry_later');
    const first = await pushOnce({ db, transport: server.transport, resolver, clientId: randomUUID() });
    expect(first.parked).toBe(0);
    expect(first.error).toMatchObject({ code: 'retry_later', retryable: true });
    const [entry] = await db.outbox.toArray();
    expect(entry).toMatchObject({ parked: 0, last_error: { code: 'retry_later' } });

    await pushOnce({ db, transport: server.transport, resolver, clientId: randomUUID() });
    expect(server.sent.map((batch) => batch.map((c) => c.change_id))).toEqual([[entry!.change_id], [entry!.change_id]]);
  });

  it('parks a change refused for good, with its error', async () => {
    await tracker.create('trips', { name: 'Ski week' });
    const outcome = await pushOnce({ db, transport: refusing('permission_denied').transport, resolver, clientId: randomUUID() });
    expect(outcome).toMatchObject({ parked: 1, error: null });
    expect(await db.outbox.toArray()).toMatchObject([{ parked: 1, last_error: { code: 'permission_denied' } }]);
  });
});
