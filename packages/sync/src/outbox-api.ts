// What the app may do with queued changes: see them, drop one (the row goes
// back to the server's state), or send a parked one again.
import type { PacksyncDb } from './db.ts';
import { invalidInput } from './errors.ts';
import { refreshView } from './overlay.ts';

export class OutboxApi {
  constructor(private readonly db: PacksyncDb) {}

  async discard(seq: number): Promise<void> {
    const db = this.db;
    await db.transaction('rw', db.syncTables, async () => {
      const entry = await db.outbox.get(seq);
      if (!entry) throw invalidInput(`No queued change ${seq}: it was sent or discarded already.`);
      await db.outbox.delete(seq);
      await refreshView(db, entry.entity, entry.row_id);
    });
  }

  async retry(seq: number): Promise<void> {
    const db = this.db;
    await db.transaction('rw', db.outbox, async () => {
      const entry = await db.outbox.get(seq);
      if (!entry) throw invalidInput(`No queued change ${seq}: it was sent or discarded already.`);
      await db.outbox.update(seq, { parked: 0, last_error: null });
    });
  }
}
